from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "shoudi.matching"
    label = "matching"
    verbose_name = "数据比对"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
