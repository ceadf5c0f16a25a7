from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "shoudi.monitoring"
    label = "monitoring"
    verbose_name = "动态监测"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
