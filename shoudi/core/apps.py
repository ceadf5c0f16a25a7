from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shoudi.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
