from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "shoudi.assistance"
    label = "assistance"
    verbose_name = "帮扶"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
