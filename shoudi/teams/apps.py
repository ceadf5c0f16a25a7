from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "shoudi.teams"
    label = "teams"
    verbose_name = "驻村工作队"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
