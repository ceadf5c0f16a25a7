from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "shoudi.matching"
    label = "matching"
    verbose_name = "数据比对"
