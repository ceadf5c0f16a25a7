"""What every project service shares: the refusal, who acts at which level, locking a row in the user's scope, and
the step row each transition writes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import models
from django.utils import timezone

from shoudi.accounts.roles import COUNTY_ADMIN, DEPARTMENT, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core.workdays import add_workdays

from .. import choices as c
from ..models import Project, ProjectStep

__all__ = [
    "ROLES",
    "TransitionRefused",
    "acts_as",
    "deadline",
    "lock",
    "money",
    "name_of",
    "require_state",
    "step",
    "today_or",
]

CENT = Decimal("0.01")

# the roles that take a step (besides a superuser); a step not named here is for whoever may change the object
ROLES = {
    "township_review": {TOWNSHIP_REVIEWER},
    "county_assess": {COUNTY_ADMIN, DEPARTMENT},
    "enter_library": {COUNTY_ADMIN},
    "plan": {COUNTY_ADMIN},
    "allocate": {COUNTY_ADMIN},
    "execute": {COUNTY_ADMIN, DEPARTMENT},
    "pay": {COUNTY_ADMIN, DEPARTMENT},
    "accept": {COUNTY_ADMIN, DEPARTMENT, TOWNSHIP_REVIEWER},
    "settle": {COUNTY_ADMIN, DEPARTMENT},
    "plan_draft": {VILLAGE_OFFICER, TOWNSHIP_REVIEWER, COUNTY_ADMIN},
    "plan_approve": {TOWNSHIP_REVIEWER},
    "plan_file": {COUNTY_ADMIN, DEPARTMENT},
}
ROLE_NAMES = {
    "township_review": "乡镇审核员",
    "county_assess": "县级管理员或行业部门",
    "enter_library": "县级管理员",
    "plan": "县级管理员",
    "allocate": "县级管理员",
    "execute": "县级管理员或行业部门",
    "pay": "县级管理员或行业部门",
    "accept": "县、乡镇项目主管单位",
    "settle": "县级管理员或行业部门",
    "plan_draft": "资产所在村或乡镇",
    "plan_approve": "乡镇审核员",
    "plan_file": "县级管理员或行业部门",
}


class TransitionRefused(Exception):
    """A step that may not be taken now, or not by this user (the message says why, in Chinese)."""


def name_of(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "系统"


def today_or(day: datetime.date | None) -> datetime.date:
    return day or timezone.localdate()


def money(value) -> Decimal:
    """An amount in 元 to the fen; a negative one is refused."""
    amount = Decimal(str(value if value not in (None, "") else 0)).quantize(CENT)
    if amount < 0:
        raise TransitionRefused("金额不能为负数")
    return amount


def acts_as(user, step_key: str) -> bool:
    """Whether the user's role takes this step (scope aside)."""
    roles = ROLES.get(step_key)
    return user.is_superuser or roles is None or getattr(user, "role", "") in roles


def lock(model: type[models.Model], obj, user, action: str = "change"):
    """The row, locked, when it is in the user's scope for ``action``; else a refusal."""
    locked = model._default_manager.select_for_update().filter(pk=obj.pk).first()
    if locked is None or not model._default_manager.restrict(user, action).filter(pk=obj.pk).exists():
        raise TransitionRefused("该记录不存在或不在您的管辖范围内")
    return locked


def require_state(obj, states: Iterable[str], labels: dict, *, what: str = "项目") -> None:
    if obj.state not in states:
        raise TransitionRefused(
            f"该{what}当前状态为「{labels[obj.state]}」，不能进行此操作（可能已被他人处理，请刷新页面）"
        )


def require_role(user, step_key: str) -> None:
    if not acts_as(user, step_key):
        raise TransitionRefused(f"此操作由{ROLE_NAMES[step_key]}办理")


def step(project: Project, user, action: str, text: str = "") -> ProjectStep:
    return ProjectStep.objects.create(
        project=project, action=action, state=project.state, text=text, user=user, user_name=name_of(user)
    )


def deadline(start: datetime.date, workdays: int, region_code: str) -> tuple[datetime.date, bool, str]:
    """(date, fallback, note) of a deadline ``workdays`` working days after ``start`` (S001 39)."""
    result = add_workdays(start, workdays, region_code=region_code)
    note = f"期限 {result.date:%Y-%m-%d}（{workdays} 个工作日）"
    if result.fallback:
        years = "、".join(str(y) for y in result.fallback_years)
        note += f"；{years} 年节假日尚未录入，期限只扣除了周末"
    return result.date, result.fallback, note


def project_labels() -> dict:
    return c.STATE_LABELS
