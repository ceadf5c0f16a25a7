"""The left navigation. Apps register their entries (``registry.add("menu_items", MenuItem(...))``) from their
wiring.py; an entry shows only to a role allowed to view its model, and, when it names ``roles``, only to those
(a page a role may open but has no use for — 批量审核 for a village officer — stays out of his menu)."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse

from .registry import registry
from .scope import user_can

__all__ = ["MenuItem", "menu_for", "quick_actions"]


@dataclass(frozen=True)
class MenuItem:
    group: str
    label: str
    url_name: str
    model: str = ""  # "app_label.ModelName": shown only to users who may view it
    action: str = "view"
    order: int = 100
    roles: tuple[str, ...] = ()  # the roles the page serves (empty: every role allowed by ``model``/``action``)
    quick: tuple[str, ...] = ()  # the roles whose home page offers it as a quick action (常用操作)


GROUP_ORDER = [
    "工作台",
    "动态监测",
    "数据比对",
    "帮扶",
    "驻村帮扶",
    "就业帮扶",
    "工作管理",
    "基础数据",
    "台账",
    "系统管理",
]


def _shown(item: MenuItem, user) -> bool:
    if item.model and not user_can(user, apps.get_model(item.model), item.action):
        return False
    return not item.roles or user.is_superuser or getattr(user, "role", "") in item.roles


def quick_actions(user) -> list[dict]:
    """The entries the user's role does most (``MenuItem.quick``), for the home page."""
    role = getattr(user, "role", "")
    items = sorted(registry.entries("menu_items"), key=lambda i: i.order)
    return [{"label": i.label, "url": reverse(i.url_name)} for i in items if role in i.quick and _shown(i, user)]


def menu_for(user, path: str = "") -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for item in sorted(registry.entries("menu_items"), key=lambda i: i.order):
        if not _shown(item, user):
            continue
        url = reverse(item.url_name)
        active = path == url if url == "/" else path.startswith(url)
        groups.setdefault(item.group, []).append({"label": item.label, "url": url, "active": active})
    order = {g: i for i, g in enumerate(GROUP_ORDER)}
    return sorted(groups.items(), key=lambda kv: order.get(kv[0], 50))
