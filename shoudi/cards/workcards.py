"""Card data: the 工作卡 of S000 附件3 and the 收入及政策享受明白卡, read for one household or a whole batch.

A work card is drawn for every household with an identified monitoring case (三类人员): its current case, or else
its most recently identified one. Green when that case's risk is eliminated, red when not (S000: 已消除风险的使用绿色
工作卡，未消除风险的使用红色工作卡). Cards are never stored: each print reads the registry as it is now, so a change
to a household shows on its next card (S000 要求动态更新).

``work_cards(households)`` reads everything a batch needs in a constant number of queries (households, cases,
members, current pairings with their cadres, measures), whatever the batch size. The caller passes households already
restricted to the user's scope (``card_households``); the related rows are restricted too when a user is given.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shoudi.assistance.choices import MEASURE_CATEGORIES
from shoudi.assistance.models import Measure, Pairing
from shoudi.core.masking import mask_birth_date, mask_phone
from shoudi.core.scope import user_can
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.monitoring.policy import line_for
from shoudi.registry.models import Household, IncomeRecord, Member, compute_income

__all__ = [
    "CATEGORY_ORDER",
    "CHUNK_CARDS",
    "MemberLine",
    "MingbaiCard",
    "WorkCard",
    "card_households",
    "cards_html",
    "mingbai_card",
    "mingbai_years",
    "work_cards",
    "write_cards_pdf",
]

CATEGORY_ORDER = {name: i for i, name in enumerate(MEASURE_CATEGORIES)}
# 当前帮扶措施: under way or done; 后续帮扶措施: planned, not started yet. 终止 measures are not printed.
CURRENT_STATUSES = ("实施中", "已落实")
PLANNED_STATUSES = ("计划",)


def _month(day: datetime.date | None) -> str:
    """S000 writes dates on the card as XX年XX月."""
    return f"{day.year}年{day.month:02d}月" if day else ""


@dataclass
class MemberLine:
    """One line of 家庭基本情况: relation, name, birth year-month, health, labour, work or school."""

    relation: str
    name: str
    born: str
    health: str
    labour: str
    activity: str

    @property
    def details(self) -> str:
        """The line after the name, in the words of 附件3: "1965年03月出生，健康，普通劳动力，在家"."""
        parts = [f"{self.born}出生" if self.born else "", self.health, self.labour, self.activity]
        return "，".join(p for p in parts if p)


@dataclass
class MeasureGroup:
    """Measures of one category on a card: "产业帮扶：养殖业、产业奖补"."""

    category: str
    items: list[str]

    @property
    def text(self) -> str:
        return "、".join(self.items)


@dataclass
class WorkCard:
    """Everything one work card prints. ``phone`` is already masked unless the reader may see full numbers."""

    household: Household
    case: MonitoringCase
    county: str
    place: str  # 乡镇 + 村, for the card's footer
    head_name: str
    address: str
    phone: str
    risks: str
    category: str
    identified: str
    eliminated: str
    cadre_name: str = ""
    cadre_unit: str = ""
    cadre_phone: str = ""
    members: list[MemberLine] = field(default_factory=list)
    current_measures: list[MeasureGroup] = field(default_factory=list)
    planned_measures: list[MeasureGroup] = field(default_factory=list)

    @property
    def is_eliminated(self) -> bool:
        return self.case.eliminated_on is not None

    @property
    def colour(self) -> str:
        """ "green" when the risk is eliminated, else "red" (the CSS class of the card)."""
        return "green" if self.is_eliminated else "red"

    @property
    def colour_label(self) -> str:
        return "绿卡·风险已消除" if self.is_eliminated else "红卡·风险未消除"

    @property
    def categories(self) -> list[tuple[str, bool]]:
        """The three 属性类别 with the ticked one: [("脱贫不稳定户", True), …]."""
        return [(name, name == self.category) for name in mc.CATEGORY_VALUES]


def card_households(user, region_code: str = "") -> QuerySet:
    """Households that get a work card, inside ``user``'s view scope (None: no restriction, for the CLI) and
    ``region_code`` (a county, township or village), in print order: village, then 户编号."""
    households = Household.objects.all() if user is None else Household.objects.restrict(user, "view")
    if region_code:
        households = households.filter(village__code__startswith=region_code)
    identified = MonitoringCase.objects.filter(household=OuterRef("pk"), identified_on__isnull=False)
    return households.filter(Exists(identified)).order_by("village__code", "household_no")


def _card_case(cases: list[MonitoringCase]) -> MonitoringCase | None:
    """The open identified case if there is one, else the one identified last."""
    open_cases = [c for c in cases if c.is_open]
    if open_cases:
        return open_cases[0]
    return max(cases, key=lambda c: (c.identified_on, c.pk), default=None)


def _risks(case: MonitoringCase) -> str:
    risks = [
        r if r != "因自然灾害" or not case.disaster_subtype else f"{r}（{case.disaster_subtype}）"
        for r in case.risk_types or []
    ]
    return "、".join(risks)


def _health(member: Member) -> str:
    health = member.health or ""
    if member.disability_category:
        detail = member.disability_text
        health = (
            health.replace("残疾", f"残疾（{detail}）")
            if "残疾" in health
            else ",".join(p for p in (health, f"残疾（{detail}）") if p)
        )
    return health.replace(",", "、")


def _activity(member: Member) -> str:
    """Work or school, in the words of 附件3: 在校读书 / XX务工 / 在家."""
    if member.student_status:
        return "学龄前儿童" if member.student_status == "学龄前儿童" else f"在校读书（{member.student_status}）"
    if member.public_welfare_job:
        return f"公益性岗位（{member.public_welfare_job}）"
    if member.employed:
        return f"{member.work_place}务工" if member.work_place else "务工"
    return "在家" if member.has_labour else ""


def member_line(member: Member, *, unmask: bool = True) -> MemberLine:
    """One member's line; ``unmask`` False prints the year of birth alone (core.masking), as every page does."""
    return MemberLine(
        relation=member.relation,
        name=member.name,
        born=_month(member.birth_date) if unmask else mask_birth_date(member.birth_date),
        health=_health(member),
        labour=member.labour_skill,
        activity=_activity(member),
    )


def _groups(measures: list[Measure]) -> list[MeasureGroup]:
    by_category: dict[str, list[str]] = defaultdict(list)
    for m in sorted(
        measures, key=lambda m: (CATEGORY_ORDER.get(m.category, 99), m.planned_on or datetime.date.min, m.pk)
    ):
        item = m.sub_item if m.sub_item and m.sub_item != "其他" else (m.content or m.sub_item)
        if item and item not in by_category[m.category]:
            by_category[m.category].append(item)
    return [MeasureGroup(category, items) for category, items in by_category.items()]


def _address(household: Household) -> str:
    if household.address:
        return household.address
    return f"{household.village.name}{household.group_name}"


def work_cards(households: QuerySet, *, user=None, unmask: bool | None = None) -> list[WorkCard]:
    """The work cards of ``households`` (a queryset from ``card_households``), in its order.

    Five queries whatever the number of households. ``unmask``: print full household phone numbers and months of
    birth (default: when ``user`` may unmask households, or always without a user; else masked phones and the year
    of birth alone); cadres' numbers are printed in full, as the card exists to tell the household whom to call.
    """
    if unmask is None:
        unmask = user is None or user_can(user, Household, "unmask")
    rows = list(households.select_related("village__parent__parent"))
    ids = households.values("pk")
    cases: dict[int, list[MonitoringCase]] = defaultdict(list)
    case_qs = MonitoringCase.objects.filter(household__in=ids, identified_on__isnull=False)
    for case in case_qs.order_by("identified_on", "pk"):
        cases[case.household_id].append(case)
    members: dict[int, list[Member]] = defaultdict(list)
    for member in Member.objects.filter(household__in=ids, status="正常").order_by("household_id", "pk"):
        members[member.household_id].append(member)
    pairing_qs = Pairing.objects.filter(household__in=ids, end_date__isnull=True)
    if user is not None:
        pairing_qs = Pairing.objects.restrict(user, "view").filter(household__in=ids, end_date__isnull=True)
    pairings = {p.household_id: p for p in pairing_qs.select_related("cadre")}
    measure_qs = Measure.objects if user is None else Measure.objects.restrict(user, "view")
    measures: dict[int, list[Measure]] = defaultdict(list)
    for measure in measure_qs.filter(household__in=ids, status__in=CURRENT_STATUSES + PLANNED_STATUSES).only(
        "household_id", "category", "sub_item", "content", "status", "planned_on"
    ):
        measures[measure.household_id].append(measure)

    cards = []
    for household in rows:
        case = _card_case(cases[household.pk])
        if case is None:  # identified meanwhile revoked; the batch query and this one raced
            continue
        people = sorted(members[household.pk], key=lambda m: (m.relation != "户主", m.pk))
        head = next((m for m in people if m.relation == "户主"), None)
        pairing = pairings.get(household.pk)
        cadre = pairing.cadre if pairing else None
        village = household.village
        township = village.parent
        county = township.parent if township else None
        own = measures[household.pk]
        cards.append(
            WorkCard(
                household=household,
                case=case,
                county=county.name if county else "",
                place=f"{township.name if township else ''}{village.name}",
                head_name=head.name if head else "",
                address=_address(household),
                phone=household.phone if unmask else mask_phone(household.phone),
                risks=_risks(case),
                category=case.category,
                identified=_month(case.identified_on),
                eliminated=_month(case.eliminated_on),
                cadre_name=cadre.name if cadre else "",
                cadre_unit=" ".join(p for p in (cadre.unit, cadre.position) if p) if cadre else "",
                cadre_phone=cadre.phone if cadre else "",
                members=[member_line(m, unmask=unmask) for m in people],
                current_measures=_groups([m for m in own if m.status in CURRENT_STATUSES]),
                planned_measures=_groups([m for m in own if m.status in PLANNED_STATUSES]),
            )
        )
    return cards


# --- 收入及政策享受明白卡 ------------------------------------------------------------------------------------------

INCOME_ITEMS = [
    ("wage", "工资性收入"),
    ("business", "生产经营性收入"),
    ("property_income", "财产性收入"),
    ("transfer", "转移性收入"),
    ("business_cost", "生产经营性支出"),
]


@dataclass
class Policy:
    """One policy the household enjoys in the year: a measure with its amount, or 低保/特困 of its members."""

    category: str
    item: str
    detail: str
    amount: Decimal | None
    when: datetime.date | None = None


@dataclass
class MingbaiCard:
    """The 收入及政策享受明白卡 of a household for one year."""

    household: Household
    year: int
    county: str
    place: str
    head_name: str
    address: str
    phone: str
    size: int
    income: IncomeRecord | None
    income_items: list[tuple[str, Decimal]]
    net_income: Decimal | None
    per_capita: Decimal | None
    line: Decimal | None
    policies: list[Policy]
    cadre_name: str = ""
    cadre_unit: str = ""
    cadre_phone: str = ""
    case: MonitoringCase | None = None

    @property
    def policy_total(self) -> Decimal:
        return sum((p.amount for p in self.policies if p.amount), Decimal("0"))

    @property
    def below_line(self) -> bool:
        return self.per_capita is not None and self.line is not None and self.per_capita < self.line


def mingbai_years(household: Household) -> list[int]:
    """Years with an income record, newest first (the card's default is the newest)."""
    return list(IncomeRecord.objects.filter(household=household).order_by("-year").values_list("year", flat=True))


def _measure_day(measure: Measure) -> datetime.date | None:
    return measure.implemented_on or measure.planned_on


def mingbai_card(
    household: Household, *, year: int | None = None, user=None, unmask: bool | None = None
) -> MingbaiCard:
    """The 明白卡 of ``household`` (already checked to be in the user's scope) for ``year`` (default: the latest
    income year, else this year). Policies: measures with an amount dated in the year (落实日期, else 计划日期),
    not 终止, and 农村/城市低保 and 特困供养 from the members."""
    if unmask is None:
        unmask = user is None or user_can(user, Household, "unmask")
    incomes = IncomeRecord.objects.filter(household=household)
    if user is not None:
        incomes = IncomeRecord.objects.restrict(user, "view").filter(household=household)
    records = {r.year: r for r in incomes}
    if year is None:
        year = max(records) if records else timezone.localdate().year
    income = records.get(year)
    members = list(Member.objects.filter(household=household, status="正常").order_by("pk"))
    head = next((m for m in members if m.relation == "户主"), None)
    items, net, per_capita = [], None, None
    if income is not None:
        items = [(label, getattr(income, name)) for name, label in INCOME_ITEMS]
        net, per_capita = compute_income(
            wage=income.wage,
            business=income.business,
            property_=income.property_income,
            transfer=income.transfer,
            business_cost=income.business_cost,
            size=income.household_size,
        )

    measure_qs = Measure.objects if user is None else Measure.objects.restrict(user, "view")
    in_year = Q(implemented_on__year=year) | Q(implemented_on__isnull=True, planned_on__year=year)
    measures = measure_qs.filter(in_year, household=household, amount__isnull=False).exclude(status="终止")
    policies = [
        Policy(m.category, m.sub_item, m.content, m.amount, _measure_day(m))
        for m in sorted(measures, key=lambda m: (CATEGORY_ORDER.get(m.category, 99), _measure_day(m), m.pk))
    ]
    for label, attr, none in (("低保", "dibao", "未享受"), ("特困供养", "tekun", "不享受")):
        by_kind: dict[str, list[str]] = defaultdict(list)
        for m in members:
            value = getattr(m, attr)
            if value and value != none:
                by_kind[value].append(m.name)
        for kind, names in by_kind.items():
            if not any(p.category == "综合保障" and p.item == label for p in policies):
                policies.append(Policy("综合保障", kind, "享受人员：" + "、".join(names), None))

    pairings = Pairing.objects if user is None else Pairing.objects.restrict(user, "view")
    pairing = pairings.filter(household=household, end_date__isnull=True).select_related("cadre").first()
    cadre = pairing.cadre if pairing else None
    village = household.village
    township = village.parent
    county = township.parent if township else None
    cases = list(MonitoringCase.objects.filter(household=household, identified_on__isnull=False))
    return MingbaiCard(
        household=household,
        year=year,
        county=county.name if county else "",
        place=f"{township.name if township else ''}{village.name}",
        head_name=head.name if head else "",
        address=_address(household),
        phone=household.phone if unmask else mask_phone(household.phone),
        size=income.household_size if income else len(members),
        income=income,
        income_items=items,
        net_income=net,
        per_capita=per_capita,
        line=line_for(village.code, year),
        policies=policies,
        cadre_name=cadre.name if cadre else "",
        cadre_unit=" ".join(p for p in (cadre.unit, cadre.position) if p) if cadre else "",
        cadre_phone=cadre.phone if cadre else "",
        case=_card_case(cases),
    )


# --- printing ------------------------------------------------------------------------------------------------------

CHUNK_CARDS = 100  # cards per HTML document handed to a PDF worker (progress is reported per chunk)


def cards_html(cards: list, *, template: str = "cards/workcards.html", for_pdf: bool = False, **context) -> str:
    """The print page (or, ``for_pdf``, the HTML WeasyPrint renders, with the stylesheet passed separately)."""
    from django.template.loader import render_to_string

    context.setdefault("printed_at", timezone.localtime())
    return render_to_string(template, {"cards": cards, "for_pdf": for_pdf, **context})


def write_cards_pdf(
    cards: list,
    target,
    *,
    template: str = "cards/workcards.html",
    workers: int = 1,
    chunk: int | None = None,
    progress=None,
    stats: dict | None = None,
    **context,
) -> int:
    """Render ``cards`` (one per page) into the PDF file ``target``; ``workers`` > 1 splits the work over that many
    processes. Returns the page count."""
    from .pdf import print_stylesheet, render_documents

    if not cards:
        raise ValueError("没有可生成的卡片")
    chunk = chunk or CHUNK_CARDS
    context.setdefault("printed_at", timezone.localtime())
    started = time.perf_counter()
    documents = [
        cards_html(cards[i : i + chunk], template=template, for_pdf=True, **context)
        for i in range(0, len(cards), chunk)
    ]
    if stats is not None:
        stats["html_s"] = time.perf_counter() - started
    return render_documents(documents, target, css=print_stylesheet(), workers=workers, progress=progress, stats=stats)
