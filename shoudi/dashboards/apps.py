from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "shoudi.dashboards"
    label = "dashboards"
    verbose_name = "数据看板"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
