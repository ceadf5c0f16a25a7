from django.apps import AppConfig


class LowIncomeConfig(AppConfig):
    name = "shoudi.lowincome"
    label = "lowincome"
    verbose_name = "低收入人口"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
