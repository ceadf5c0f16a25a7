from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "shoudi.cards"
    label = "cards"
    verbose_name = "工作卡与明白卡"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
