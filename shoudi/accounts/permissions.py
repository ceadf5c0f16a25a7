"""The role × action matrix and the scope policy behind ``Model.objects.restrict(user, action)``.

Each app declares the rows of its own models in its wiring.py, ``registry.add("permissions",
ModelPermissions(model_label, title, {role: actions}), key=model_label)``, and narrower scopes as ``ScopeHook``s in
the ``scope_hooks`` store; ``docs/permissions.md`` is generated from the matrix (``shoudi permissions_doc``) and a
test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

from shoudi.core.registry import registry

from .roles import COUNTY_ADMIN, ROLE_LABELS, ROLES

__all__ = [
    "ACTION_LABELS",
    "EVERYONE_READS",
    "READ",
    "ModelPermissions",
    "ScopeHook",
    "allowed_actions",
    "matrix",
    "own_jobs_unless_admin",
    "policy",
    "region_code_of",
    "superusers_only_viewed",
]

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
READ = ("view", "export")
EVERYONE_READS = dict.fromkeys(ROLES, ("view",))


@dataclass(frozen=True)
class ModelPermissions:
    """The actions each role may take on one model; ``title`` is the resource name docs/permissions.md shows.
    ``rows`` is given as {role: actions}; a role left out may do nothing."""

    model: str  # the model label, lower case: "registry.household"
    title: str
    rows: dict[str, frozenset[str]]

    def __post_init__(self):
        rows = {role: frozenset(self.rows.get(role, ())) for role in ROLES}
        unknown = ({a for actions in rows.values() for a in actions} - ALL) | (set(self.rows) - set(ROLES))
        if unknown:
            raise ValueError(f"{self.model}: unknown roles or actions {sorted(unknown)}")
        object.__setattr__(self, "rows", rows)


@dataclass(frozen=True)
class ScopeHook:
    """A narrower scope of ``model`` for ``role`` (None: every role): ``hook(queryset, user, action)``."""

    model: str
    role: str | None
    hook: Callable


def matrix() -> list[tuple[str, str, dict[str, frozenset[str]]]]:
    return [(p.model, p.title, p.rows) for p in registry.entries("permissions")]


def allowed_actions(user, model: type[models.Model]) -> frozenset[str]:
    if user.is_superuser:
        return ALL
    permissions = registry.keyed("permissions").get(model._meta.label_lower)
    return permissions.rows.get(user.role, frozenset()) if permissions is not None else frozenset()


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
        if not code:  # fail closed: "" would be a prefix of every code, the whole database
            return queryset.none()
        in_region = Q(**{f"{code_field}__startswith": code})
        if action == "view" and getattr(model, "scope_read_ancestors", False):
            # reference rows (a line, settings) of the user's county or province apply to him: he reads them
            ancestors = ["", *(code[:n] for n in (6, 9) if n < len(code))]  # "": deployment-wide (a code field)
            in_region |= Q(**{f"{code_field}__in": ancestors}) | Q(**{f"{code_field.rsplit('__', 1)[0]}__isnull": True})
        queryset = queryset.filter(in_region)
        label = model._meta.label_lower
        for hook in registry.entries("scope_hooks"):
            if hook.model == label and (hook.role is None or hook.role == user.role):
                queryset = hook.hook(queryset, user, action)
        return queryset


policy = RolePolicy()


def own_jobs_unless_admin(queryset, user, action):
    # A county admin follows every job in the county; everybody else sees the jobs he started.
    return queryset if user.role == COUNTY_ADMIN else queryset.filter(user=user)


def superusers_only_viewed(queryset, user, action):
    # A superuser's account is nobody else's to change: a county admin may see it, never edit, reset or delete it.
    return queryset if action == "view" else queryset.exclude(is_superuser=True)


def region_code_of(user) -> str:
    """The code prefix of what ``user`` may reach in bulk (a base list, a screening): "" — everything — only for a
    superuser without a region; a non-superuser without a region code reaches nothing (``PermissionDenied``)."""
    code = user.region.code if user is not None and getattr(user, "region_id", None) else ""
    if not code and not (user is not None and user.is_superuser):
        raise PermissionDenied("您的账号未设置所属区划，不能进行此操作，请联系县级管理员")
    return code


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
        "- 驻村工作队：签到、工作日志由在岗队员本人办理；补录在村天数由乡镇驻村管理员办理；请假由乡镇驻村管理员审批，"
        "超过乡镇可批天数（默认 5 天）的再由县委组织部审批（shoudi/teams/services.py）。",
        "- 新增或修改后重新校验范围：保存后的记录若超出用户管辖范围，整个操作回滚并提示。",
        "- 列表和页面中身份证号、电话默认脱敏；“查看完整”与导出个人信息均写入敏感信息访问记录。",
    ]
    lines.append("")
    lines.append("超级用户（运维账号）不受限制。Superusers (operations accounts) are not restricted.")
    lines.append("")
    return "\n".join(lines)
