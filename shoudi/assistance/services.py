"""Assistance actions with effects beyond one row: pairing and hand-over, visits that open guarantee problems,
assessments that start the elimination application. Keyword-only, atomic, checked against the user's scope."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shoudi.core import notifications
from shoudi.core.scope import user_can
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.monitoring.services import TransitionRefused, apply_elimination
from shoudi.registry.models import Household
from shoudi.work import lifecycle as lc

from . import choices as c
from .models import Assessment, Cadre, GuaranteeProblem, Pairing, Visit, VisitPhoto

__all__ = [
    "bulk_assign",
    "handover",
    "open_guarantee_problem",
    "pair",
    "record_assessment",
    "record_visit",
    "resolve_problem",
]


def _households_in_scope(user, households: Iterable[Household], action: str = "view") -> list[Household]:
    ids = [h.pk for h in households]
    allowed = set(Household.objects.restrict(user, action).filter(pk__in=ids).values_list("pk", flat=True))
    outside = [h for h in households if h.pk not in allowed]
    if outside:  # counted, not named: the caller's ids may not be his to read
        raise PermissionDenied(f"所选农户中有 {len(outside)} 户不在您的管辖范围内")
    return list(households)


def _cadre_in_scope(user, cadre: Cadre) -> Cadre:
    if not Cadre.objects.restrict(user, "view").filter(pk=cadre.pk, active=True).exists():
        raise PermissionDenied("该帮扶干部不在您的管辖范围内或已不在岗")
    return cadre


@transaction.atomic
def pair(
    *, household: Household, cadre: Cadre, user, start_date: datetime.date | None = None, reason: str = ""
) -> Pairing:
    """Pair (or re-pair) a household: the current pairing ends the day before, with the reason."""
    if not _can(user, "add"):
        raise PermissionDenied("您的角色不能调整结对")
    _households_in_scope(user, [household])
    _cadre_in_scope(user, cadre)
    start_date = start_date or timezone.localdate()
    current = Pairing.objects.select_for_update().filter(household=household, end_date__isnull=True).first()
    if current is not None:
        if current.cadre_id == cadre.pk:
            return current
        if not reason.strip():
            raise ValidationError("调整帮扶干部须填写原因")
        current.end_date = max(current.start_date, start_date - datetime.timedelta(days=1))
        current.end_reason = reason
        current.save()
    pairing = Pairing.objects.create(
        household=household, cadre=cadre, start_date=start_date, reason=reason or "首次结对"
    )
    notifications.changed("assistance", household_ids=[household.pk])  # the dashboards' 帮扶 figures
    return pairing


def _can(user, action: str) -> bool:
    return user_can(user, Pairing, action)


@transaction.atomic
def bulk_assign(
    *, households: Iterable[Household], cadre: Cadre, user, reason: str = "", start_date: datetime.date | None = None
) -> list[Pairing]:
    """Pair many households with one cadre in one action (each change keeps its history)."""
    if not _can(user, "add"):
        raise PermissionDenied("您的角色不能调整结对")
    households = _households_in_scope(user, list(households))
    return [pair(household=h, cadre=cadre, user=user, start_date=start_date, reason=reason) for h in households]


@transaction.atomic
def handover(*, from_cadre: Cadre, to_cadre: Cadre, user, reason: str, start_date: datetime.date | None = None) -> int:
    """A cadre who changes unit hands all his current households to another in one action."""
    if not _can(user, "add"):
        raise PermissionDenied("您的角色不能调整结对")
    if from_cadre.pk == to_cadre.pk:
        raise ValidationError("请选择另一名帮扶干部")
    if not reason.strip():
        raise ValidationError("请填写移交原因")
    _cadre_in_scope(user, to_cadre)
    households = [
        p.household for p in Pairing.objects.filter(cadre=from_cadre, end_date__isnull=True).select_related("household")
    ]
    _households_in_scope(user, households)
    for household in households:
        pair(household=household, cadre=to_cadre, user=user, start_date=start_date, reason=reason)
    return len(households)


@transaction.atomic
def record_visit(
    *,
    household: Household,
    user,
    visited_on: datetime.date,
    kind: str,
    content: str,
    checklist: dict[str, bool | None],
    photos: Iterable = (),
    latitude=None,
    longitude=None,
    problem_notes: dict[str, str] | None = None,
) -> Visit:
    """A visit; every checklist answer "否" opens a guarantee problem of that kind (unless one is open already).
    A visit that answers none of the five checklist items is refused."""
    if not user_can(user, Visit, "add"):
        raise PermissionDenied("您的角色不能登记走访")
    _households_in_scope(user, [household])
    if kind not in dict(c.VISIT_KINDS):
        raise ValidationError("请选择走访方式")
    if visited_on > timezone.localdate():
        raise ValidationError("走访日期不能晚于今天")
    if all(checklist.get(field) is None for field in c.CHECKLIST):
        raise ValidationError(c.CHECKLIST_BLANK)
    cadre = Cadre.objects.filter(user=user).first()
    visit = Visit.objects.create(
        household=household,
        cadre=cadre,
        visited_on=visited_on,
        kind=kind,
        content=content,
        visitor=user.get_full_name() or user.get_username(),
        latitude=latitude,
        longitude=longitude,
        **{field: checklist.get(field) for field in c.CHECKLIST},
    )
    for photo in photos:
        VisitPhoto.objects.create(visit=visit, image=photo)
    for field, label in c.CHECKLIST.items():
        if checklist.get(field) is False:
            note = (problem_notes or {}).get(field) or f"走访发现：{label}存在问题"
            open_guarantee_problem(household=household, kind=label, visit=visit, opened_on=visited_on, description=note)
    notifications.changed("assistance", household_ids=[household.pk])
    return visit


@transaction.atomic
def open_guarantee_problem(
    *, household: Household, kind: str, description: str, opened_on: datetime.date | None = None, visit=None
) -> GuaranteeProblem:
    """发现: a guarantee problem of ``kind`` on the household (found on ``visit``, or from a department's finding).
    The one cycle raises no second problem while one of that kind is unclosed (``lifecycle.raised_again``): that one
    is returned, and what was found is the same problem."""
    latest = GuaranteeProblem.objects.filter(household=household, kind=kind).order_by("-id").first()
    if latest is not None and not lc.raised_again(state=latest.state, outcome=latest.outcome, same_data=True):
        return latest
    opened_on = opened_on or timezone.localdate()
    return GuaranteeProblem.objects.create(
        household=household, kind=kind, visit=visit, opened_on=opened_on, description=description
    )


@transaction.atomic
def resolve_problem(
    *, problem: GuaranteeProblem, user, resolution: str, resolved_on: datetime.date | None = None
) -> GuaranteeProblem:
    """整改完成: the resolution recorded closes the problem (the one cycle's 整改完成, refused once it is closed)."""
    if not GuaranteeProblem.objects.restrict(user, "change").filter(pk=problem.pk).exists():
        raise PermissionDenied("您无权处理该问题")
    problem = GuaranteeProblem.objects.select_for_update().get(pk=problem.pk)
    if not resolution.strip():
        raise ValidationError("请填写解决情况")
    lc.check(
        lc.GUARANTEES,
        lc.CLOSE,
        state=problem.state,
        acting={lc.RESPONSIBLE},
        text=resolution,
        label="已解决" if problem.resolved_on else "未解决",
        refused=ValidationError,
    )
    problem.resolution, problem.resolved_on = resolution, resolved_on or timezone.localdate()
    problem.save()
    return problem


@transaction.atomic
def record_assessment(
    *,
    case: MonitoringCase,
    user,
    assessed_on: datetime.date,
    measures_effective: bool,
    income_trend: str,
    risk_status: str,
    note: str = "",
    elimination_type: str = "帮扶消除",
) -> tuple[Assessment, str | None]:
    """The quarterly assessment. 建议消除 starts the elimination application of the monitoring chain; when a guard
    refuses, the assessment is kept and the reason is returned."""
    if (
        not user_can(user, Assessment, "add")
        or not MonitoringCase.objects.restrict(user, "view").filter(pk=case.pk).exists()
    ):
        raise PermissionDenied("您无权评估该户")
    if case.identified_on is None:
        raise ValidationError("尚未识别的监测对象无需成效评估")
    quarter = (assessed_on.month - 1) // 3 + 1
    if Assessment.objects.filter(case=case, year=assessed_on.year, quarter=quarter).exists():
        raise ValidationError(f"{assessed_on.year} 年第 {quarter} 季度已评估")
    assessment = Assessment.objects.create(
        case=case,
        household=case.household,
        year=assessed_on.year,
        quarter=quarter,
        assessed_on=assessed_on,
        measures_effective=measures_effective,
        income_trend=income_trend,
        risk_status=risk_status,
        note=note,
        assessor=user,
    )
    refused = None
    if risk_status == "建议消除":
        if case.step != mc.MONITORING:
            refused = f"该户当前环节为「{case.step_label}」，未重复提出消除申请"
        else:
            try:
                with transaction.atomic():
                    apply_elimination(
                        case=case,
                        user=user,
                        elimination_type=elimination_type,
                        note=f"{assessment}：建议消除。{note}",
                        today=assessed_on,
                    )
            except TransitionRefused as exc:
                refused = str(exc)
    notifications.changed("assistance", household_ids=[case.household_id])
    return assessment, refused
