from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shoudi.registry"
    label = "registry"
    verbose_name = "户籍信息库"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
