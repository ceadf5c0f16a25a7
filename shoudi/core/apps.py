from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shoudi.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from . import audit  # noqa: F401  (connects the change-log signal handlers)
        from .menu import MenuItem, register_menu

        register_menu(
            MenuItem("工作台", "首页", "home", order=0),
            MenuItem("系统管理", "变更记录", "core:objectchange_list", model="core.ObjectChange", order=910),
            MenuItem("系统管理", "敏感信息访问记录", "core:accesslog_list", model="core.AccessLog", order=920),
            MenuItem("系统管理", "后台任务", "core:job_list", model="core.Job", order=930),
        )
