from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shoudi.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
