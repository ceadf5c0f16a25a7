"""The cards of employment assistance (issue 20 §7): the 零就业家庭 per township (or village), the progress of the
county's latest 务工 verification round, and the 公益性岗位 subsidies paid under the floor.

They are counted live from the employment app's selectors (the same definitions as its lists and worklist lines),
so they keep no summary rows (``compute`` is None); each figure is the count of the list it links to."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q
from django.urls import reverse

from shoudi.core.scope import user_can
from shoudi.employment import choices as ec
from shoudi.employment.models import Attendance, Verification, VerificationRound
from shoudi.employment.selectors import covered_households, flagged_attendance
from shoudi.registry.models import Household
from shoudi.registry.selectors import zero_employment

from .cards import Card, CardContext, CardData, Series

__all__ = ["EMPLOYMENT_CARDS"]


def _places(ctx: CardContext) -> tuple[list[str], list[str], list[str]]:
    """(names, codes, drill links) of the region's children, or the region itself on a village's dashboard."""
    if ctx.children:
        return (
            [child.name for child in ctx.children],
            [child.code for child in ctx.children],
            [reverse("dashboards:region", args=[child.pk]) for child in ctx.children],
        )
    return [ctx.region.name], [ctx.region.code], []


def _by_place(rows, codes: list[str]) -> list[int]:
    """Counts per village code added up into the places (a place's code is a prefix of its villages')."""
    totals: Counter = Counter()
    for code, n in rows:
        place = next((p for p in codes if code.startswith(p)), None)
        if place is not None:
            totals[place] += n
    return [totals[code] for code in codes]


def _title(ctx: CardContext) -> str:
    return "乡镇" if ctx.region.level == "county" else "行政村"


def zero_present(ctx: CardContext) -> CardData | None:
    if not user_can(ctx.user, Household, "view"):
        return None
    names, codes, drill = _places(ctx)
    households = Household.objects.filter(village__code__startswith=ctx.region.code)
    rows = zero_employment(covered_households(households)).order_by().values_list("village__code")
    values = _by_place(rows.annotate(n=Count("pk")), codes)
    return CardData(
        categories=names,
        series=[Series("零就业家庭", values, [ctx.link("employment:zero_list", area=code) for code in codes])],
        unit="户",
        notes=[f"零就业家庭共 {sum(values)} 户：有劳动力而无一人务工（含公益性岗位），一人就业即清零"],
        drill=drill,
        category_title=_title(ctx),
    )


def verification_present(ctx: CardContext) -> CardData | None:
    if not user_can(ctx.user, Verification, "view"):
        return None
    round_ = (
        VerificationRound.objects.filter(county__code=ctx.region.code[:6], state=ec.STARTED)
        .order_by("-year", "-id")
        .first()
    )
    if round_ is None:
        return None
    names, codes, drill = _places(ctx)
    rows = (
        Verification.objects.filter(round=round_, village__code__startswith=ctx.region.code)
        .order_by()
        .values_list("village__code")
    )
    verified = _by_place(rows.annotate(n=Count("pk", filter=Q(verified_at__isnull=False))), codes)
    pending = _by_place(rows.annotate(n=Count("pk", filter=Q(verified_at__isnull=True))), codes)
    base = reverse("employment:round_persons", args=[round_.pk])
    done, total = sum(verified), sum(verified) + sum(pending)
    return CardData(
        categories=names,
        series=[
            Series("已核实", verified, [f"{base}?village={code}&verified=true" for code in codes]),
            Series("待核实", pending, [f"{base}?village={code}&verified=false" for code in codes]),
        ],
        unit="人",
        notes=[f"{round_}：应核实 {total} 人，已核实 {done} 人（{done * 100 / total:.1f}%）" if total else str(round_)],
        drill=drill,
        category_title=_title(ctx),
    )


def subsidy_present(ctx: CardContext) -> CardData | None:
    if not user_can(ctx.user, Attendance, "view"):
        return None
    names, codes, drill = _places(ctx)
    code = "placement__member__household__village__code"
    low = flagged_attendance(Attendance.objects.filter(**{f"{code}__startswith": ctx.region.code}))
    values = _by_place(low.order_by().values_list(code).annotate(n=Count("pk")), codes)
    if not any(values):
        return None
    return CardData(
        categories=names,
        series=[
            Series(
                "补贴低于下限（人次）",
                values,
                [ctx.link("employment:attendance_list", area=code, flagged="true") for code in codes],
            )
        ],
        unit="人次",
        notes=["公益性岗位补贴原则上不低于当地最低工资标准的50%（比例见就业帮扶参数）"],
        drill=drill,
        category_title=_title(ctx),
    )


EMPLOYMENT_CARDS = [
    Card("zero_employment", "零就业家庭", "bar", None, zero_present, note="脱贫户和监测户；按户统计"),
    Card(
        "employment_verification",
        "务工信息核实进度",
        "stack",
        None,
        verification_present,
        note="16—60周岁及60周岁以上已务工人员",
    ),
    Card("post_subsidy_low", "公益性岗位补贴低于下限", "bar", None, subsidy_present, note="按月考勤统计"),
]
