"""The role × action matrix and the scope policy behind ``Model.objects.restrict(user, action)``.

Each domain app declares the rows of its own models with ``register(model_label, {role: actions})`` from its
AppConfig.ready(); ``docs/permissions.md`` is generated from this matrix (``shoudi permissions_doc``) and a test
keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import models
from django.db.models import Q

from .roles import COUNTY_ADMIN, DEPARTMENT, INSPECTOR, ROLE_LABELS, ROLES, TOWNSHIP_REVIEWER, VILLAGE_OFFICER

__all__ = ["ACTION_LABELS", "allowed_actions", "matrix", "policy", "register", "register_scope_hook"]

ACTION_LABELS = {
    "view": "查看",
    "add": "新增",
    "change": "修改",
    "delete": "删除",
    "export": "导出",
    "unmask": "查看完整证件号/电话",
    "import": "导入",
}

ALL = frozenset(ACTION_LABELS)

# model label → {role → actions}; the resource names are what docs/permissions.md shows.
_MATRIX: dict[str, dict[str, frozenset[str]]] = {}
_TITLES: dict[str, str] = {}
_HOOKS: dict[str, list[tuple[str | None, Callable]]] = {}


def register(model_label: str, title: str, rows: dict[str, Iterable[str]]) -> None:
    _MATRIX[model_label] = {role: frozenset(rows.get(role, ())) for role in ROLES}
    _TITLES[model_label] = title


def register_scope_hook(model_label: str, role: str | None, hook: Callable) -> None:
    """Narrow the scope of ``model_label`` for ``role`` (None = every role): ``hook(queryset, user, action)``."""
    _HOOKS.setdefault(model_label, []).append((role, hook))


def matrix() -> list[tuple[str, str, dict[str, frozenset[str]]]]:
    return [(label, _TITLES[label], rows) for label, rows in _MATRIX.items()]


def allowed_actions(user, model: type[models.Model]) -> frozenset[str]:
    if user.is_superuser:
        return ALL
    return _MATRIX.get(model._meta.label_lower, {}).get(user.role, frozenset())


class RolePolicy:
    """Role decides which actions; region decides which rows (code prefix); hooks narrow further."""

    def allows(self, user, model, action) -> bool:
        return action in allowed_actions(user, model)

    def restrict(self, queryset, user, action):
        model = queryset.model
        if user.is_superuser:
            return queryset
        if not self.allows(user, model, action) or user.region_id is None:
            return queryset.none()
        code_field = getattr(model, "scope_code_field", "")
        if not code_field:
            return queryset.none()
        code = user.region.code
        in_region = Q(**{f"{code_field}__startswith": code})
        if action == "view" and getattr(model, "scope_read_ancestors", False):
            # reference rows (a line, settings) of the user's county or province apply to him: he reads them
            ancestors = [code[:n] for n in (6, 9) if n < len(code)]
            in_region |= Q(**{f"{code_field}__in": ancestors}) | Q(**{f"{code_field.rsplit('__', 1)[0]}__isnull": True})
        queryset = queryset.filter(in_region)
        for role, hook in _HOOKS.get(model._meta.label_lower, []):
            if role is None or role == user.role:
                queryset = hook(queryset, user, action)
        return queryset


policy = RolePolicy()

READ = ("view", "export")
EVERYONE_READS = dict.fromkeys(ROLES, ("view",))

register("regions.region", "行政区划", {
    **EVERYONE_READS,
    COUNTY_ADMIN: ("view", "add", "change", "delete", "export", "import"),
    TOWNSHIP_REVIEWER: READ,
    VILLAGE_OFFICER: READ,
    DEPARTMENT: READ,
    INSPECTOR: READ,
})
register("accounts.user", "用户", {
    COUNTY_ADMIN: ("view", "add", "change", "delete", "export", "unmask"),
    INSPECTOR: ("view",),
})
register("core.objectchange", "变更记录", {
    COUNTY_ADMIN: READ,
    INSPECTOR: READ,
    TOWNSHIP_REVIEWER: ("view",),
    VILLAGE_OFFICER: ("view",),
})
register("core.accesslog", "敏感信息访问记录", {COUNTY_ADMIN: READ, INSPECTOR: READ})
register("core.job", "后台任务", dict.fromkeys(ROLES, ("view", "add")))


def _own_jobs_unless_admin(queryset, user, action):
    # A county admin follows every job in the county; everybody else sees the jobs he started.
    return queryset if user.role == COUNTY_ADMIN else queryset.filter(user=user)


register_scope_hook("core.job", None, _own_jobs_unless_admin)


def render_markdown() -> str:
    """docs/permissions.md, generated from the matrix."""
    lines = [
        "# 权限矩阵 / Permission matrix",
        "",
        "由 `shoudi permissions_doc` 从 `shoudi/accounts/permissions.py` 生成，测试保证二者一致。",
        "Generated from the code; a test fails when this file and the code differ.",
        "",
        "范围：每个用户只能访问其所属区划（及下级区划）内的数据；区划代码按前缀嵌套（县 6 位、乡镇 9 位、村 12 位）。",
        "Scope: a user reaches only rows whose region code starts with the code of the user's region.",
        "",
        "| 对象 | " + " | ".join(ROLE_LABELS[r] for r in ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for label, title, rows in matrix():
        cells = ["、".join(ACTION_LABELS[a] for a in ACTION_LABELS if a in rows[role]) or "—" for role in ROLES]
        lines.append(f"| {title} (`{label}`) | " + " | ".join(cells) + " |")
    lines += [
        "",
        "动作 / Actions: " + "，".join(f"{label} = `{code}`" for code, label in ACTION_LABELS.items()),
        "",
        "补充规则 / Extra rules:",
        "- 后台任务：县级管理员可查看本县全部任务，其他角色只能查看自己发起的任务。",
        "- 监测线、监测参数：下级用户可查看所在县（及全省默认）的标准，只有县级管理员可修改本县标准。",
        "- 台账：行按台账所依据对象的查看范围；无“查看完整证件号/电话”权限的角色导出时证件号、电话脱敏。",
        "- 帮扶干部：只能看到与自己结对的农户及其成员、收入、监测记录、措施、走访、评估。",
        "- 数据比对：行业部门只看本部门的名单、比对批次和比对结果；比对结果由所在村核实处理。",
        "- 监测对象各环节的办理人另有规定：入户核实由村级信息员或帮扶干部，村级研判、公示由村级信息员，"
        "乡镇审核由乡镇审核员，县级审定由县级管理员办理（shoudi/monitoring/services.py 的 STEP_ROLES）。",
        "- 新增或修改后重新校验范围：保存后的记录若超出用户管辖范围，整个操作回滚并提示。",
        "- 列表和页面中身份证号、电话默认脱敏；“查看完整”与导出个人信息均写入敏感信息访问记录。",
    ]
    lines.append("")
    lines.append("超级用户（运维账号）不受限制。Superusers (operations accounts) are not restricted.")
    lines.append("")
    return "\n".join(lines)
