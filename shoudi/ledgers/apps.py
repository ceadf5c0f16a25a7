from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "shoudi.ledgers"
    label = "ledgers"
    verbose_name = "台账与工作卡"
