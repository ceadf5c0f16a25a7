from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "shoudi.ledgers"
    label = "ledgers"
    verbose_name = "台账与工作卡"

    def ready(self) -> None:
        from .wiring_ledgers import connect_ledgers

        connect_ledgers()

        from .wiring_cards import connect_cards

        connect_cards()
