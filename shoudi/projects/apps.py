from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "shoudi.projects"
    label = "projects"
    verbose_name = "项目资金资产"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
