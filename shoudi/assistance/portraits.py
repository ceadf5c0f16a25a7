"""一户一画像 (S004 (二)二): making a portrait (a service: keyword-only, atomic, checked, in the change log) and what
its page and printed sheet show of a household — members and labour, income items by year with their trend, rigid
spending, the 三保障 and open guarantee problems, measures, the year's monitoring line and the 五看五防止 checklist.

低保 must not replace monitoring: a portrait never closes a risk; one that finds a risk says so (``at_risk``) and the
household goes the clue's way (monitoring.services.open_clue), from the 民政 finding or by hand."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shoudi.core import notifications
from shoudi.core.scope import user_can
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Household, IncomeRecord, Member

from . import choices as c
from .estimates import lines_of
from .models import GuaranteeProblem, IncomeEstimate, Measure, Portrait

__all__ = ["PortraitData", "create_portrait", "group_hint", "portrait_data"]

NOT_A_SUBSTITUTE = (
    "低保不能替代防返贫监测：画像发现返贫致贫风险的，须按程序提出监测线索、纳入监测帮扶，不得以纳入低保为由不识别。"
)
INCOME_ITEMS = (
    ("wage", "工资性收入"),
    ("business", "生产经营性收入"),
    ("property_income", "财产性收入"),
    ("transfer", "转移性收入"),
    ("business_cost", "生产经营性支出"),
)


@transaction.atomic
def create_portrait(
    *,
    household: Household,
    user,
    group: str,
    looks: dict[str, str],
    prevents: dict[str, bool],
    medical_out_of_pocket: Decimal = Decimal("0"),
    schooling_cost: Decimal = Decimal("0"),
    spending_note: str = "",
    at_risk: bool = False,
    conclusion: str,
    made_on: datetime.date | None = None,
) -> Portrait:
    """A 一户一画像 of ``household``: every one of the 五看 written down and every one of the 五防止 confirmed, the
    rigid spending and a conclusion; refused otherwise, or outside the user's scope."""
    if not user_can(user, Portrait, "add"):
        raise PermissionDenied("您的角色不能制作一户一画像")
    if not Household.objects.restrict(user, "view").filter(pk=household.pk).exists():
        raise PermissionDenied("该农户不在您的管辖范围内")
    if group not in dict(c.PORTRAIT_GROUPS):
        raise ValidationError("请选择群体类别（新申请低保、分散供养特困或低保边缘）")
    made_on = made_on or timezone.localdate()
    if made_on > timezone.localdate():
        raise ValidationError("画像日期不能晚于今天")
    missing = [label.split("：")[0] for name, label in c.FIVE_LOOKS.items() if not (looks.get(name) or "").strip()]
    missing += [label.split("（")[0] for name, label in c.FIVE_PREVENTS.items() if not prevents.get(name)]
    if missing:
        raise ValidationError(c.PORTRAIT_INCOMPLETE.format("未完成 " + "、".join(missing)))
    for label, amount in (("医疗自付支出", medical_out_of_pocket), ("上学支出", schooling_cost)):
        if amount is None or amount < 0:
            raise ValidationError(f"{label}不能为负数")
    if not conclusion.strip():
        raise ValidationError("请填写画像结论")
    portrait = Portrait.objects.create(
        household=household,
        group=group,
        made_on=made_on,
        made_by=user,
        medical_out_of_pocket=medical_out_of_pocket,
        schooling_cost=schooling_cost,
        spending_note=spending_note.strip(),
        at_risk=at_risk,
        conclusion=conclusion.strip(),
        **{name: looks[name].strip() for name in c.FIVE_LOOKS},
        **dict.fromkeys(c.FIVE_PREVENTS, True),
    )
    notifications.changed("assistance", household_ids=[household.pk])
    return portrait


def group_hint(household: Household) -> str:
    """The group the registry suggests (the form's default): 特困 → 分散供养特困, 低保 → 新申请低保, else 低保边缘."""
    members = household.members.filter(status="正常")
    if members.exclude(tekun__in=("", "不享受")).exists():
        return c.DISPERSED_TEKUN
    if members.exclude(dibao__in=("", "未享受")).exists():
        return c.NEW_DIBAO
    return c.DIBAO_EDGE


@dataclass
class IncomeYear:
    year: int
    items: list[tuple[str, Decimal]]
    net_income: Decimal
    per_capita: Decimal
    size: int
    compliant_medical: Decimal | None = None
    change: Decimal | None = None  # per capita against the year before shown
    estimated: bool = False

    @property
    def trend(self) -> str:
        if self.change is None:
            return ""
        return "上升" if self.change > 0 else "下降" if self.change < 0 else "持平"


@dataclass
class PortraitData:
    household: Household
    members: list[Member]
    labour: list[tuple[str, int]]
    incomes: list[IncomeYear]
    guarantees: list[tuple[str, bool | None]]
    problems: list[GuaranteeProblem]
    measures: list[Measure]
    cases: list[MonitoringCase]
    year: int
    line: Decimal | None
    line_year: int
    portrait: Portrait | None
    portraits: list[Portrait] = field(default_factory=list)
    note: str = NOT_A_SUBSTITUTE

    @property
    def latest_income(self) -> IncomeYear | None:
        return self.incomes[-1] if self.incomes else None

    @property
    def below_line(self) -> bool:
        latest = self.latest_income
        return bool(latest and self.line is not None and latest.per_capita < self.line)


def _income_years(records: list[IncomeRecord], estimate: IncomeEstimate | None) -> list[IncomeYear]:
    years = [
        IncomeYear(
            year=r.year,
            items=[(label, getattr(r, name)) for name, label in INCOME_ITEMS],
            net_income=r.net_income,
            per_capita=r.per_capita,
            size=r.household_size,
            compliant_medical=r.compliant_medical,
        )
        for r in sorted(records, key=lambda r: r.year)
    ]
    if estimate is not None and all(y.year != estimate.year for y in years):
        years.append(
            IncomeYear(
                year=estimate.year,
                items=[(label, getattr(estimate, name)) for name, label in INCOME_ITEMS],
                net_income=estimate.net_income,
                per_capita=estimate.per_capita,
                size=estimate.household_size,
                estimated=True,
            )
        )
    for before, after in itertools.pairwise(years):
        after.change = after.per_capita - before.per_capita
    return years


def portrait_data(household: Household, user, *, today: datetime.date | None = None) -> PortraitData:
    """Everything a portrait page or sheet shows of ``household``, read through the user's scope."""
    today = today or timezone.localdate()
    members = list(household.members.filter(status="正常").order_by("id"))
    labour: dict[str, int] = {}
    for member in members:
        key = member.labour_skill or "未填写"
        labour[key] = labour.get(key, 0) + 1
    records = list(IncomeRecord.objects.restrict(user, "view").filter(household=household).order_by("-year")[:5])
    estimate = (
        IncomeEstimate.objects.restrict(user, "view").filter(household=household, year=today.year).first()
        if user_can(user, IncomeEstimate, "view")
        else None
    )
    # the year's line, or the year before's while it is not published (as the 收入预估 lists read it)
    line, line_year = lines_of([household.village.code[:6]], today.year)[household.village.code[:6]]
    portraits = list(Portrait.objects.restrict(user, "view").filter(household=household).select_related("made_by"))
    return PortraitData(
        household=household,
        members=members,
        labour=sorted(labour.items()),
        incomes=_income_years(records, estimate),
        guarantees=[
            ("住房安全", household.housing_secure),
            ("饮水安全", household.water_secure),
            ("义务教育无失学辍学", household.education_secure),
            ("全员参加基本医疗保险", household.insurance_secure),
        ],
        problems=list(GuaranteeProblem.objects.restrict(user, "view").filter(household=household)),
        measures=list(Measure.objects.restrict(user, "view").filter(household=household)[:20]),
        cases=list(MonitoringCase.objects.restrict(user, "view").filter(household=household).order_by("-clue_date")),
        year=today.year,
        line=line,
        line_year=line_year,
        portrait=portraits[0] if portraits else None,
        portraits=portraits,
    )
