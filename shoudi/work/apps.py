from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "shoudi.work"
    label = "work"
    verbose_name = "工作管理"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
