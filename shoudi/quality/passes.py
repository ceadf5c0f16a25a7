"""The passes over the registry the rules' conditions read: every rule of a pass is a flag of one query.

- members: the living members (状态 正常) of the region, with their ID number's expected check character;
- households: the households of the region with their members' counts (户主, 配偶, the ill, the able …), the
  income year's and the year before's incomes, the open case and whether 低保/特困 measures exist — one
  ``GROUP BY`` of the households joined to their members;
- cases: the eliminated cases of the region, with the months monitored and the income of the elimination year.

Each pass yields, per row that any of its rules fires on, the subject, household, village and the figures of each
rule that fired (``Found``). Read set-based; nothing is written here.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import reduce
from operator import or_

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractDay, ExtractMonth, ExtractYear, Mod, Substr

from shoudi.core.idnumbers import CHECK_CHARACTERS, WEIGHTS
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import IncomeRecord, Member

from .household_pass import household_rows
from .rules.base import CASE, HOUSEHOLD, MEMBER, Found, Params, Rule

__all__ = [
    "ABLE",
    "CHILDREN",
    "DIBAO",
    "ID_FORMAT",
    "IN_SCHOOL_EXCLUDED",
    "LIVE",
    "PARENTS",
    "PASSES",
    "TEKUN",
    "run_pass",
]

LIVE = "正常"  # 成员状态: the dead and the moved out are history, not data to fix
ID_FORMAT = r"^[0-9]{17}[0-9X]$"
CHILDREN = ("之子", "之女", "之孙子", "之孙女", "之外孙子", "之外孙女", "之曾孙子", "之曾孙女")
PARENTS = ("之父", "之母", "之岳父", "之岳母", "之公公", "之婆婆", "之祖父", "之祖母", "之外祖父", "之外祖母")
ABLE = ("普通劳动力", "技能劳动力")
DIBAO = ("农村低保", "城市低保")
TEKUN = ("农村特困", "城市特困")
IN_SCHOOL_EXCLUDED = ("", "学龄前儿童", "学前教育")  # 在校生状况 of someone not (yet) at school


def _expected_check():
    """The GB 11643 check character of ``id_number`` in SQL, for a number of 17 digits and a last character."""
    total = reduce(
        lambda a, b: a + b,
        (Cast(Substr("id_number", i + 1, 1), IntegerField()) * weight for i, weight in enumerate(WEIGHTS)),
    )
    # a number not of 17 digits and a last character is expected to end as it does: only its format rule fires
    return Case(
        When(id_number__regex=ID_FORMAT, then=Substr(Value(CHECK_CHARACTERS), Mod(total, 11) + 1, 1)),
        default=Substr("id_number", 18, 1),
        output_field=CharField(),
    )


def members(params: Params, scope: str):
    """The living members of the region; ``id_check``: the check character their ID number should end with."""
    return (
        Member.objects.filter(household__village__code__startswith=scope, status=LIVE)
        .alias(id_check=_expected_check(), id_last=Substr("id_number", 18, 1))
        .annotate(at_village=F("household__village_id"))
    )


def cases(params: Params, scope: str):
    """The eliminated cases of the region: ``months`` monitored (whole months from identification to elimination),
    the per-capita income of the elimination year and that year's line."""
    elim, ident = "eliminated_on", "identified_on"
    months = (
        (ExtractYear(elim) - ExtractYear(ident)) * 12
        + ExtractMonth(elim)
        - ExtractMonth(ident)
        - Case(When(Q(**{f"{elim}__day__lt": ExtractDay(ident)}), then=Value(1)), default=Value(0))
    )
    income = IncomeRecord.objects.filter(household=OuterRef("household_id"), year=OuterRef("elimination_year"))
    line = Case(
        *(When(elimination_year=year, then=Value(amount)) for year, amount in sorted(params.lines.items())),
        default=Value(None),
        output_field=DecimalField(max_digits=10, decimal_places=2),
    )
    return (
        MonitoringCase.objects.filter(
            household__village__code__startswith=scope,
            step=mc.ELIMINATED,
            eliminated_on__isnull=False,
            identified_on__isnull=False,
        )
        .annotate(elimination_year=ExtractYear(elim))
        .alias(months=months)
        .annotate(
            at_village=F("household__village_id"),
            elimination_per_capita=Subquery(income.values("per_capita")[:1]),
            elimination_line=line,
        )
    )


# subject → (the pass, the path of the household's id); households are a pass of their own (household_pass.py)
ORM_PASSES = {MEMBER: (members, "household_id"), CASE: (cases, "household_id")}
PASSES = (MEMBER, HOUSEHOLD, CASE)


def run_pass(subject: str, rules: list[Rule], params: Params, scope: str) -> Iterator[tuple[Rule, Found]]:
    """One query for the rules of a pass (each a flag); the rows any of them fires on, per rule that fired."""
    if not rules:
        return
    if subject == HOUSEHOLD:
        yield from household_rows(rules, params, scope)
        return
    build, household_path = ORM_PASSES[subject]
    queryset = build(params, scope)
    conditions = [rule.when(params) for rule in rules]
    flags = {
        f"fires_{i}": Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
        for i, condition in enumerate(conditions)
    }
    fields = list(dict.fromkeys(f for rule in rules for f in rule.fields()))
    # a figure read from one of the pass's aliases is selected under a name of its own
    aliases = {name for name in queryset.query.annotations if name not in queryset.query.annotation_select}
    selected = {name: f"figure_{i}" if name in aliases else name for i, name in enumerate(fields)}
    extra = {column: F(name) for name, column in selected.items() if column != name}
    queryset = queryset.annotate(**extra, **flags).filter(reduce(or_, conditions)).order_by()
    columns = ["pk", household_path, "at_village", *selected.values()]
    rows = queryset.values_list(*columns, *flags)
    for row in rows.iterator(chunk_size=5000):
        pk, household, village = row[:3]
        values = {name: row[3 + i] for i, name in enumerate(selected)}
        for rule, fired in zip(rules, row[len(columns) :], strict=True):
            if fired:
                yield rule, Found(pk, household, village, rule.figures_of(values, params))
