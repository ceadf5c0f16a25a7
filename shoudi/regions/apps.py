from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "shoudi.regions"
    label = "regions"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from shoudi.core.menu import MenuItem, register_menu

        register_menu(MenuItem("基础数据", "行政区划", "regions:region_list", model="regions.Region", order=200))

        from shoudi.core.context_processors import register_shell_context

        from .views import picker_context

        register_shell_context(picker_context)
