"""What accounts contributes: the scope policy every ``restrict()`` goes through, the permission rows of the core
and accounts models (and of regions, which declares none itself), the job scope, the 用户 menu entry."""

from __future__ import annotations

from shoudi.core.menu import MenuItem
from shoudi.core.registry import registry

from .permissions import (
    EVERYONE_READS,
    READ,
    ModelPermissions,
    ScopeHook,
    own_jobs_unless_admin,
    policy,
    superusers_only_viewed,
)
from .roles import (
    COUNTY_ADMIN,
    DEPARTMENT,
    INSPECTOR,
    ORGANIZATION,
    ROLES,
    TEAM_MANAGER,
    TOWNSHIP_REVIEWER,
    VILLAGE_OFFICER,
)


def _permissions(label: str, title: str, rows: dict) -> None:
    registry.add("permissions", ModelPermissions(label, title, rows), key=label)


def connect() -> None:
    registry.set("scope_policy", policy)

    _permissions(
        "regions.region",
        "行政区划",
        {
            **EVERYONE_READS,
            COUNTY_ADMIN: ("view", "add", "change", "delete", "export", "import"),
            TOWNSHIP_REVIEWER: READ,
            VILLAGE_OFFICER: READ,
            DEPARTMENT: READ,
            INSPECTOR: READ,
            TEAM_MANAGER: READ,
            ORGANIZATION: READ,
        },
    )
    _permissions(
        "accounts.user",
        "用户",
        {
            COUNTY_ADMIN: ("view", "add", "change", "delete", "export", "unmask"),
            INSPECTOR: ("view",),
        },
    )
    _permissions(
        "core.objectchange",
        "变更记录",
        {
            COUNTY_ADMIN: READ,
            INSPECTOR: READ,
            TOWNSHIP_REVIEWER: ("view",),
            VILLAGE_OFFICER: ("view",),
        },
    )
    _permissions("core.accesslog", "敏感信息访问记录", {COUNTY_ADMIN: READ, INSPECTOR: READ})
    _permissions("core.job", "后台任务", dict.fromkeys(ROLES, ("view", "add")))
    _permissions("core.holiday", "节假日", {**EVERYONE_READS, COUNTY_ADMIN: ("view", "add", "change", "delete")})
    _permissions("core.synonym", "码表同义词", {**EVERYONE_READS, COUNTY_ADMIN: ("view", "add", "delete")})
    registry.add("scope_hooks", ScopeHook("core.job", None, own_jobs_unless_admin))
    registry.add("scope_hooks", ScopeHook("accounts.user", None, superusers_only_viewed))

    registry.add("menu_items", MenuItem("系统管理", "用户", "accounts:user_list", model="accounts.User", order=900))
