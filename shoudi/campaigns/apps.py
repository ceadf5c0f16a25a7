from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "shoudi.campaigns"
    label = "campaigns"
    verbose_name = "百日攻坚"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
