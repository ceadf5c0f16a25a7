"""The household pass in SQL: every household of the region with its living members' counts (one ``GROUP BY`` of
the members, joined to the households), the income year's and the year before's incomes and its open case, one
row each; the household rules are conditions (SQL text, portable to SQLite and PostgreSQL) over its columns.

Written as SQL rather than through the ORM: grouping the households joined to their members, incomes and case in
one ORM query put every income column and rule flag into the ``GROUP BY`` and joined the incomes again for the
``HAVING`` (PostgreSQL sorted 30,000 joined rows by a dozen expressions: 0.7 s of a 1.2 s pass at 10,000 households);
grouping the members alone first and joining the groups to one row per household is a plain hash join.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.db import connections, router

from shoudi.monitoring.models import MonitoringCase
from shoudi.regions.models import Region
from shoudi.registry.models import Household, IncomeRecord, Member

from .pgsettings import GROUPING, postgres_settings
from .rules.base import Found, Params, Rule

__all__ = ["COLUMNS", "household_rows", "literal", "literals", "risk"]

LIVE = "正常"
CHILDREN = ("之子", "之女", "之孙子", "之孙女", "之外孙子", "之外孙女", "之曾孙子", "之曾孙女")
PARENTS = ("之父", "之母", "之岳父", "之岳母", "之公公", "之婆婆", "之祖父", "之祖母", "之外祖父", "之外祖母")
ABLE = ("普通劳动力", "技能劳动力")
MONEY = {"wage", "business", "property_income", "transfer", "business_cost", "net_income", "per_capita",
         "prev_per_capita"}  # fmt: skip
DATES = {"head_birth", "eldest_child_birth", "youngest_parent_birth"}


def literal(text: str) -> str:
    """A SQL string literal of our own constant text (quotes doubled, per cent signs escaped for the driver)."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def literals(values) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def risk(name: str) -> str:
    """The open case's risk types (a JSON list, as text) hold ``name``: as written, or escaped (SQLite)."""
    import json

    written, escaped = literal(f'%"{name}"%'), literal(f"%{json.dumps(name)}%")
    return f"(case_id IS NOT NULL AND (risks LIKE {written} OR risks LIKE {escaped}))"


def _count(condition: str) -> str:
    return f"COUNT(*) FILTER (WHERE {condition})"


def _aggregates() -> str:
    head, spouse = "m.relation = '户主'", "m.relation = '配偶'"
    ill = "(m.health LIKE '%%长期慢性病%%' OR m.health LIKE '%%患有大病%%')"
    disabled = "(m.health LIKE '%%残疾%%' OR m.disability_category <> '')"
    working = "(m.employed = TRUE OR m.work_months > 0 OR m.public_welfare_job <> '')"
    parts = {
        "n_members": "COUNT(*)",
        "heads": _count(head),
        "spouses": _count(spouse),
        "head_male": _count(f"{head} AND m.gender = '男'"),
        "head_female": _count(f"{head} AND m.gender = '女'"),
        "spouse_male": _count(f"{spouse} AND m.gender = '男'"),
        "spouse_female": _count(f"{spouse} AND m.gender = '女'"),
        "head_birth": f"MAX(m.birth_date) FILTER (WHERE {head})",
        "eldest_child_birth": f"MIN(m.birth_date) FILTER (WHERE m.relation IN {literals(CHILDREN)})",
        "youngest_parent_birth": f"MAX(m.birth_date) FILTER (WHERE m.relation IN {literals(PARENTS)})",
        "ill": _count(ill),
        "disabled": _count(disabled),
        "able": _count(f"m.labour_skill IN {literals(ABLE)}"),
        "working": _count(working),
        "head_name": f"MAX(m.name) FILTER (WHERE {head})",
    }
    return ", ".join(f"{sql} AS {name}" for name, sql in parts.items())


COUNTS = ("n_members", "heads", "spouses", "head_male", "head_female", "spouse_male", "spouse_female", "ill",
          "disabled", "able", "working")  # fmt: skip
COLUMNS = (
    "household_no",
    "size",
    "phone",
    "household_type",
    "n_members",
    "heads",
    "spouses",
    "head_male",
    "head_female",
    "spouse_male",
    "spouse_female",
    "head_birth",
    "eldest_child_birth",
    "youngest_parent_birth",
    "ill",
    "disabled",
    "able",
    "working",
    "head_name",
    "inc_id",
    "inc_year",
    "wage",
    "business",
    "property_income",
    "transfer",
    "business_cost",
    "household_size",
    "net_income",
    "per_capita",
    "prev_per_capita",
    "case_id",
    "risks",
)


def _source(vendor: str) -> str:
    member, household = Member._meta.db_table, Household._meta.db_table
    income, case, region = IncomeRecord._meta.db_table, MonitoringCase._meta.db_table, Region._meta.db_table
    counts = ", ".join(f"COALESCE(a.{name}, 0) AS {name}" for name in COUNTS)
    risks = "c.risk_types::text" if vendor == "postgresql" else "c.risk_types"
    return f"""
        SELECT h.id AS pk, h.village_id AS at_village, h.household_no, h.size, h.phone, h.household_type,
               {counts}, a.head_birth, a.eldest_child_birth, a.youngest_parent_birth, a.head_name,
               inc.id AS inc_id, inc.year AS inc_year, inc.wage, inc.business, inc.property_income, inc.transfer,
               inc.business_cost, inc.household_size, inc.net_income, inc.per_capita,
               prev.per_capita AS prev_per_capita, c.id AS case_id, {risks} AS risks
        FROM {household} h
        JOIN {region} v ON v.id = h.village_id
        LEFT JOIN (
            SELECT m.household_id, {_aggregates()}
            FROM {member} m
            JOIN {household} hh ON hh.id = m.household_id
            JOIN {region} vv ON vv.id = hh.village_id
            WHERE m.status = {literal(LIVE)} AND vv.code LIKE %s
            GROUP BY m.household_id
        ) a ON a.household_id = h.id
        LEFT JOIN {income} inc ON inc.household_id = h.id AND inc.year = %s
        LEFT JOIN {income} prev ON prev.household_id = h.id AND prev.year = %s
        LEFT JOIN {case} c ON c.household_id = h.id AND c.is_open = TRUE
        WHERE v.code LIKE %s
    """  # noqa: S608 - table names and our own constants


def _value(name: str, value):
    if value is None:
        return None
    if name in MONEY and not isinstance(value, Decimal):
        return Decimal(str(value)).quantize(Decimal("0.01"))  # SQLite hands back numbers as floats
    if name in DATES and isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


def household_rows(rules: list[Rule], params: Params, scope: str) -> Iterator[tuple[Rule, Found]]:
    """One statement for the household rules (each a flag); the households any of them fires on."""
    if not rules:
        return
    connection = connections[router.db_for_read(Household)]
    conditions = [f"({rule.when(params)})" for rule in rules]
    flags = ", ".join(f"CASE WHEN {condition} THEN 1 ELSE 0 END" for condition in conditions)
    sql = f"SELECT pk, at_village, {', '.join(COLUMNS)}, {flags} FROM ({_source(connection.vendor)}) hp WHERE {' OR '.join(conditions)}"  # noqa: E501, S608
    year = params.year or 0
    with postgres_settings(connection.alias, **GROUPING), connection.cursor() as cursor:
        cursor.execute(sql, [f"{scope}%", year, year - 1, f"{scope}%"])
        while rows := cursor.fetchmany(5000):
            for row in rows:
                values = {name: _value(name, row[2 + i]) for i, name in enumerate(COLUMNS)}
                for rule, fired in zip(rules, row[2 + len(COLUMNS) :], strict=True):
                    if fired:
                        yield rule, Found(row[0], row[0], row[1], rule.figures_of(values, params))
