from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shoudi.registry"
    label = "registry"
    verbose_name = "户籍信息库"

    def ready(self) -> None:
        from shoudi.accounts.permissions import register
        from shoudi.accounts.roles import CADRE, COUNTY_ADMIN, DEPARTMENT, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
        from shoudi.core.menu import MenuItem, register_menu

        full = ("view", "add", "change", "delete", "export", "unmask", "import")
        for label, title in (("registry.household", "农户"), ("registry.member", "家庭成员"),
                             ("registry.incomerecord", "收入记录")):
            register(label, title, {
                COUNTY_ADMIN: full,
                TOWNSHIP_REVIEWER: ("view", "add", "change", "export", "unmask", "import"),
                VILLAGE_OFFICER: ("view", "add", "change", "export", "unmask", "import"),
                DEPARTMENT: ("view", "export"),
                CADRE: ("view", "unmask"),
                INSPECTOR: ("view",),
            })
        register("registry.householdimport", "农户信息导入", {
            COUNTY_ADMIN: ("view",), TOWNSHIP_REVIEWER: ("view",), VILLAGE_OFFICER: ("view",),
        })
        register_menu(
            MenuItem("基础数据", "农户", "registry:household_list", model="registry.Household", order=100),
            MenuItem("基础数据", "家庭成员", "registry:member_list", model="registry.Member", order=110),
        )
