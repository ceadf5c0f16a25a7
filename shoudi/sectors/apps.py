from django.apps import AppConfig


class SectorsConfig(AppConfig):
    name = "shoudi.sectors"
    label = "sectors"
    verbose_name = "行业帮扶"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
