from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "shoudi.monitoring"
    label = "monitoring"
    verbose_name = "动态监测"

    def ready(self) -> None:
        from shoudi.accounts.permissions import register
        from shoudi.accounts.roles import CADRE, COUNTY_ADMIN, DEPARTMENT, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
        from shoudi.core.menu import MenuItem, register_menu
        from shoudi.registry.panels import register_household_panel

        from . import national  # noqa: F401  (listens for committed household imports)
        from .household import extend_household_filters, household_panel

        register_household_panel(household_panel, order=10)
        extend_household_filters()

        register("monitoring.monitoringcase", "监测对象", {
            COUNTY_ADMIN: ("view", "add", "change", "export"),
            TOWNSHIP_REVIEWER: ("view", "add", "change", "export"),
            VILLAGE_OFFICER: ("view", "add", "change", "export"),
            CADRE: ("view", "add", "change"),
            DEPARTMENT: ("view", "add"),
            INSPECTOR: ("view", "export"),
        })
        register("monitoring.monitoringline", "监测线", {
            COUNTY_ADMIN: ("view", "add", "change", "delete"),
            **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, CADRE, DEPARTMENT, INSPECTOR), ("view",)),
        })
        register("monitoring.monitoringsettings", "监测参数", {
            COUNTY_ADMIN: ("view", "add", "change", "delete"),
            **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), ("view",)),
        })
        register_menu(
            MenuItem("动态监测", "监测对象", "monitoring:case_list", model="monitoring.MonitoringCase", order=300),
            MenuItem("动态监测", "批量审核", "monitoring:batch_review", model="monitoring.MonitoringCase",
                     action="change", order=310),
            MenuItem("动态监测", "预警筛查", "monitoring:screen", model="monitoring.MonitoringLine", action="add",
                     order=320),
            MenuItem("动态监测", "监测线", "monitoring:monitoringline_list", model="monitoring.MonitoringLine",
                     order=330),
            MenuItem("动态监测", "监测参数", "monitoring:monitoringsettings_list",
                     model="monitoring.MonitoringSettings", order=340),
        )
