"""The 项目库's chain (S001 37): 村申报 → 乡镇审核 → 县级论证 → 公告公示 → 入库, with 退回修改 and 未通过 at each
review, objections during the 公示, and the selection of library projects into a year's plan (withdrawable while no
funds were allocated).

A project proposed by a township or a department (county level) starts at 县级论证: there is no township above it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from shoudi.core.scope import user_can
from shoudi.regions.models import Region

from .. import choices as c
from ..models import Objection, Project, Publicity
from .base import TransitionRefused, lock, money, name_of, require_role, require_state, step, today_or

__all__ = [
    "add_objection",
    "county_assess",
    "enter_library",
    "propose_project",
    "publicize",
    "resolve_objection",
    "resubmit",
    "revise_project",
    "select_into_plan",
    "township_review",
    "withdraw_from_plan",
]

DECISIONS = ("approve", "return", "reject")
PROPOSER_ACTION = {"village": "村申报", "township": "乡镇申报", "county": "部门申报"}


def _user_level(user) -> str:
    region = user.region if getattr(user, "region_id", None) else None
    return region.level if region is not None else "county"


def _check_fields(user, fields: dict) -> dict:
    """The fields of a proposal, checked: type and sub-type, years, budget, the place and the beneficiaries."""
    region: Region = fields["region"]
    if not user.is_superuser and not region.code.startswith(user.region.code if user.region_id else "\0"):
        raise TransitionRefused("建设地点不在您的管辖范围内")
    if fields["subtype"] not in c.TYPES.get(fields["project_type"], ()):
        raise TransitionRefused(f"项目子类型“{fields['subtype']}”不属于“{fields['project_type']}”")
    if not str(fields.get("name", "")).strip():
        raise TransitionRefused("请填写项目名称")
    end_year = fields.get("end_year")
    if end_year is not None and end_year < fields["year"]:
        raise TransitionRefused("计划完成年度不能早于项目年度")
    for source, _ in c.FUND_SOURCES:
        fields[f"budget_{source}"] = money(fields.get(f"budget_{source}"))
    if sum(fields[f"budget_{s}"] for s, _ in c.FUND_SOURCES) <= 0:
        raise TransitionRefused("请填写项目资金（至少一项资金来源大于 0）")
    households = list(fields.pop("beneficiaries", ()) or ())
    outside = [h.household_no for h in households if not h.village.code.startswith(region.code)]
    if outside:
        raise TransitionRefused(f"受益农户不在建设地点{region.name}：{'、'.join(outside[:10])}")
    fields["beneficiaries"] = households
    return fields


@transaction.atomic
def propose_project(*, user, imported: bool = False, **fields) -> Project:
    """申报: a village, a township or a department proposes a project in its scope (S001 37: 县、镇、村及行业部门)."""
    if not user.is_superuser and (not user_can(user, Project, "add") or not getattr(user, "region_id", None)):
        raise TransitionRefused("您的角色不能申报项目")
    fields = _check_fields(user, dict(fields))
    households = fields.pop("beneficiaries")
    level = _user_level(user)
    if not fields.get("proposer_unit"):
        fields["proposer_unit"] = _unit_of(user)
    state = fields.pop("state", None) or (c.PROPOSED if level == "village" else c.REVIEWED)
    project = Project.objects.create(proposer_level=level, state=state, imported=imported, **fields)
    if households:
        project.beneficiaries.set(households)
    budget = f"总投资 {project.budget_total:,.2f} 元，其中衔接资金 {project.budget_linkage:,.2f} 元"
    step(project, user, "导入" if imported else PROPOSER_ACTION[level], budget)
    return project


def _unit_of(user) -> str:
    if getattr(user, "department", ""):
        return f"{user.region.name}{user.get_department_display()}" if user.region_id else user.get_department_display()
    return user.region.name if getattr(user, "region_id", None) else ""


@transaction.atomic
def revise_project(*, project: Project, user, **fields) -> Project:
    """修改: the proposal is changed while it waits for the township or was sent back."""
    project = lock(Project, project, user)
    require_state(project, c.EDITABLE_STATES, c.STATE_LABELS)
    fields = _check_fields(user, {"name": project.name, **fields})
    households = fields.pop("beneficiaries")
    for name, value in fields.items():
        setattr(project, name, value)
    project.save()
    project.beneficiaries.set(households)
    step(project, user, "修改申报内容")
    return project


def _decide(project: Project, decision: str, text: str, passed: str) -> str:
    if decision not in DECISIONS:
        raise TransitionRefused("请选择审核结论")
    text = text.strip()
    if decision != "approve" and not text:
        raise TransitionRefused("退回或不通过时请填写理由")
    if decision == "approve":
        project.state, project.returned_reason = passed, ""
    elif decision == "return":
        project.state, project.returned_reason = c.RETURNED, text[:300]
    else:
        project.state = c.REJECTED
    return text


@transaction.atomic
def township_review(*, project: Project, user, decision: str, text: str = "") -> Project:
    """乡镇审核 of a village's proposal by the reviewer of its township: 通过, 退回修改 or 不通过."""
    project = lock(Project, project, user)
    require_state(project, (c.PROPOSED,), c.STATE_LABELS)
    require_role(user, "township_review")
    if not user.is_superuser and project.region.code[:9] != user.region.code:
        raise TransitionRefused("此项目由所在乡镇审核")
    text = _decide(project, decision, text, c.REVIEWED)
    project.save()
    step(
        project, user, {"approve": "乡镇审核通过", "return": "乡镇退回修改", "reject": "乡镇审核不通过"}[decision], text
    )
    return project


@transaction.atomic
def county_assess(*, project: Project, user, decision: str, text: str = "") -> Project:
    """县级论证 with the departments: 通过 (then 公示 and 入库), 退回修改 or 不通过."""
    project = lock(Project, project, user)
    require_state(project, (c.REVIEWED,), c.STATE_LABELS)
    require_role(user, "county_assess")
    text = _decide(project, decision, text, c.ASSESSED)
    if decision == "approve":
        project.assessment = text
    project.save()
    step(
        project, user, {"approve": "县级论证通过", "return": "县级论证退回", "reject": "县级论证不通过"}[decision], text
    )
    return project


@transaction.atomic
def resubmit(*, project: Project, user, text: str = "") -> Project:
    """重新申报 after 退回修改: back to the first review of its proposer's level."""
    project = lock(Project, project, user)
    require_state(project, (c.RETURNED,), c.STATE_LABELS)
    project.state = c.PROPOSED if project.proposer_level == "village" else c.REVIEWED
    project.save()
    step(project, user, "重新申报", text)
    return project


@transaction.atomic
def publicize(
    *,
    project: Project,
    user,
    stage: str,
    start: datetime.date,
    end: datetime.date,
    place: str,
    content: str = "",
    photo=None,
    plan=None,
) -> Publicity:
    """公告公示: a 公示 of the project (or of one of its distribution plans) with its dates and place."""
    project = lock(Project, project, user)
    if project.state == c.REJECTED:
        raise TransitionRefused("项目未通过审核，不再公示")
    if stage not in c.PUBLICITY_STAGES:
        raise TransitionRefused("请选择公示类型")
    if end < start:
        raise TransitionRefused("公示结束日期不能早于开始日期")
    if not place.strip():
        raise TransitionRefused("请填写公示地点或渠道")
    publicity = Publicity.objects.create(
        project=project,
        plan=plan,
        stage=stage,
        start=start,
        end=end,
        place=place.strip(),
        content=content,
        photo=photo or "",
        recorded_by=name_of(user),
    )
    step(project, user, "公告公示", f"{stage}：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}（{publicity.days} 天），{place}")
    return publicity


@transaction.atomic
def add_objection(
    *, publicity: Publicity, user, content: str, raised_by: str = "", received_on: datetime.date | None = None
) -> Objection:
    """公示异议: an objection received during a 公示 (the project waits until it is resolved)."""
    project = lock(Project, publicity.project, user)
    if not content.strip():
        raise TransitionRefused("请填写异议内容")
    received_on = today_or(received_on)
    if received_on < publicity.start:
        raise TransitionRefused("异议收到日期不能早于公示开始日期")
    objection = Objection.objects.create(
        publicity=publicity, content=content.strip(), raised_by=raised_by.strip(), received_on=received_on
    )
    step(project, user, "收到公示异议", f"{publicity.stage}：{content.strip()}")
    return objection


@transaction.atomic
def resolve_objection(*, objection: Objection, user, upheld: bool, resolution: str) -> Objection:
    """处理异议: 不成立 — the project goes on; 成立 — a project still in review goes back for revision."""
    project = lock(Project, objection.publicity.project, user)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if not objection.is_open:
        raise TransitionRefused("该异议已处理")
    if not resolution.strip():
        raise TransitionRefused("请填写处理结果")
    objection.upheld, objection.resolution = upheld, resolution.strip()
    objection.resolved_on, objection.resolved_by = today_or(None), name_of(user)
    objection.save()
    text = f"异议{'成立' if upheld else '不成立'}：{resolution.strip()}"
    if upheld and project.state in c.IN_REVIEW:
        project.state, project.returned_reason = c.RETURNED, f"公示异议成立：{resolution.strip()}"[:300]
        project.save()
    step(project, user, "处理公示异议", text)
    return objection


def library_publicity_problem(project: Project, today: datetime.date) -> str:
    """Why the project may not enter the library yet ("" : it may): its 公示 not held or not over, objections open."""
    publicities = list(project.publicities.filter(stage__in=c.LIBRARY_STAGES, plan__isnull=True))
    if not publicities:
        return "入库前须公告公示：请先登记公示"
    if not any(p.ended(today) for p in publicities):
        last = max(p.end for p in publicities)
        return f"公示期至 {last:%Y-%m-%d} 结束，期满后方可入库"
    if Objection.objects.filter(publicity__project=project, upheld__isnull=True).exists():
        return "还有未处理的公示异议"
    return ""


@transaction.atomic
def enter_library(*, project: Project, user, today: datetime.date | None = None) -> Project:
    """入库: after the county's 论证 and a 公示 that is over, with every objection resolved."""
    project = lock(Project, project, user)
    require_state(project, (c.ASSESSED,), c.STATE_LABELS)
    require_role(user, "enter_library")
    today = today_or(today)
    problem = library_publicity_problem(project, today)
    if problem:
        raise TransitionRefused(problem)
    project.state, project.library_on = c.LIBRARY, today
    project.save()
    step(project, user, "入库", f"入库日期 {today:%Y-%m-%d}")
    return project


@transaction.atomic
def select_into_plan(*, projects: Iterable[Project], user, year: int) -> int:
    """年度计划: library projects chosen into the plan of ``year`` (S001 40: 原则上从项目库选择), all or none."""
    require_role(user, "plan")
    if not 2000 <= year <= 2100:
        raise TransitionRefused("请填写正确的计划年度")
    chosen = 0
    for project in projects:
        project = lock(Project, project, user)
        if project.state != c.LIBRARY:
            raise TransitionRefused(
                f"“{project.name}”当前为「{c.STATE_LABELS[project.state]}」，只有已入库项目可纳入计划"
            )
        project.state, project.plan_year = c.PLANNED, year
        project.save()
        step(project, user, "纳入年度计划", f"{year} 年度项目计划")
        chosen += 1
    if not chosen:
        raise TransitionRefused("请选择要纳入计划的项目")
    return chosen


@transaction.atomic
def withdraw_from_plan(*, project: Project, user, reason: str) -> Project:
    """调出年度计划: back to the library, while no funds have been allocated to it."""
    project = lock(Project, project, user)
    require_state(project, (c.PLANNED,), c.STATE_LABELS)
    require_role(user, "plan")
    if project.allocations.exists():
        raise TransitionRefused("项目已下达资金，不能调出年度计划")
    if not reason.strip():
        raise TransitionRefused("请填写调出理由")
    year = project.plan_year
    project.state, project.plan_year = c.LIBRARY, None
    project.save()
    step(project, user, "调出年度计划", f"调出 {year} 年度计划：{reason.strip()}")
    return project


def total_budget(projects: Iterable[Project]) -> Decimal:
    return sum((p.budget_total for p in projects), Decimal("0.00"))
