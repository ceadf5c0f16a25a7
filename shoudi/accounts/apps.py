from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shoudi.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from shoudi.core.scope import register_policy

        from .permissions import policy

        register_policy(policy)

        from shoudi.core.menu import MenuItem, register_menu

        register_menu(MenuItem("系统管理", "用户", "accounts:user_list", model="accounts.User", order=900))
