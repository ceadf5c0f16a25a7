"""The left navigation. Apps register their entries (``registry.add("menu_items", MenuItem(...))``) from their
wiring.py; an entry shows only to a role allowed to view its model."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse

from .registry import registry
from .scope import user_can

__all__ = ["MenuItem", "menu_for"]


@dataclass(frozen=True)
class MenuItem:
    group: str
    label: str
    url_name: str
    model: str = ""  # "app_label.ModelName": shown only to users who may view it
    action: str = "view"
    order: int = 100


GROUP_ORDER = ["工作台", "动态监测", "数据比对", "帮扶", "基础数据", "台账", "系统管理"]


def menu_for(user, path: str = "") -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for item in sorted(registry.entries("menu_items"), key=lambda i: i.order):
        if item.model and not user_can(user, apps.get_model(item.model), item.action):
            continue
        url = reverse(item.url_name)
        active = path == url if url == "/" else path.startswith(url)
        groups.setdefault(item.group, []).append({"label": item.label, "url": url, "active": active})
    order = {g: i for i, g in enumerate(GROUP_ORDER)}
    return sorted(groups.items(), key=lambda kv: order.get(kv[0], 50))
