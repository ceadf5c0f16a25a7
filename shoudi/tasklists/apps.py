from django.apps import AppConfig


class TasklistsConfig(AppConfig):
    name = "shoudi.tasklists"
    label = "tasklists"
    verbose_name = "任务清单"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
