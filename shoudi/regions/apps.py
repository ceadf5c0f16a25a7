from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "shoudi.regions"
    label = "regions"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
