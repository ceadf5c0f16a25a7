"""What core contributes: the change-log signal handlers and the 首页 and 系统管理 menu entries (码表, 节假日 among
them), and the warning that next year's holidays are missing."""

from __future__ import annotations

from .menu import MenuItem
from .registry import registry


def connect() -> None:
    from . import audit  # noqa: F401  (connects the change-log signal handlers)
    from .retention import RetentionRule, purge_job_results
    from .views.holidays import holiday_warning

    registry.add("home_panels", holiday_warning, order=5)

    registry.add(
        "retention_rules", RetentionRule("job_results", "后台任务结果文件", purge_job_results), key="job_results"
    )
    for item in (
        MenuItem("工作台", "首页", "home", order=0),
        MenuItem("系统管理", "变更记录", "core:objectchange_list", model="core.ObjectChange", order=910),
        MenuItem("系统管理", "敏感信息访问记录", "core:accesslog_list", model="core.AccessLog", order=920),
        MenuItem("系统管理", "后台任务", "core:job_list", model="core.Job", order=930),
        MenuItem("系统管理", "码表", "core:vocabulary_list", model="core.Synonym", order=940),
        MenuItem("系统管理", "节假日", "core:holiday_list", model="core.Holiday", order=945),
    ):
        registry.add("menu_items", item)
