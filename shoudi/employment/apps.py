from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "shoudi.employment"
    label = "employment"
    verbose_name = "就业帮扶"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
