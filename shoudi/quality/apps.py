from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "shoudi.quality"
    label = "quality"
    verbose_name = "数据质量"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
