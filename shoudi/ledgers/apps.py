from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "shoudi.ledgers"
    label = "ledgers"
    verbose_name = "台账"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
