"""The dashboards' card of data quality (registered in wiring.py after the built-in cards): the open problems by
severity and the quality score, problems per 100 households. It counts exactly the rows its links list (the data-
quality problem list, 待整改, of the region and severity)."""

from __future__ import annotations

from django.db.models import Count, Q

from shoudi.quality.rules import all_rules
from shoudi.quality.rules.base import SEVERITIES
from shoudi.quality.selectors import open_hits
from shoudi.registry.models import Household

from .builtin import _grouped
from .cards import Card, CardContext, CardData, Series

__all__ = ["QUALITY_CARDS"]

QUALITY, HOUSEHOLDS = "quality", "households"  # a 不是问题 confirmed moves it too: the problems' frequent step


def quality_compute(codes, today):
    by_severity = {s: [rule.code for rule in all_rules() if rule.severity == s] for s in SEVERITIES}
    counts = {f"s:{s}": _count(rules) for s, rules in by_severity.items()}
    hits = open_hits()
    for code, *values in _grouped(hits, "village", codes, **counts):
        yield from ((code, bucket, n) for bucket, n in zip(counts, values, strict=True))
    for code, n in _grouped(Household.objects.all(), "village", codes):
        yield code, "households", n


def _count(rules):
    return Count("pk", filter=Q(rule__in=rules))


def quality_present(ctx: CardContext) -> CardData:
    values = [ctx.value(f"s:{s}") for s in SEVERITIES]
    households, total = ctx.value("households"), sum(values)
    score = f"{total * 100 / households:.1f}" if households else "—"
    return CardData(
        categories=list(SEVERITIES),
        series=[
            Series(
                "待整改问题",
                values,
                [ctx.link("quality:hit_list", severity=s, status="open") for s in SEVERITIES],
            )
        ],
        unit="个",
        notes=[f"质量得分：每百户待整改问题 {score} 个（{households} 户，{total} 个问题）"],
        category_title="严重程度",
    )


QUALITY_CARDS = [
    Card(
        "quality",
        "数据质量问题",
        "bar",
        quality_compute,
        quality_present,
        frozenset({QUALITY, HOUSEHOLDS}),
        note="数据质量检查发现、尚待整改的问题",
    )
]
