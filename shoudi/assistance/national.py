"""Measures listed in the national export become 已落实 measures, once (comma-separated sub-items per column). A step
of every committed household import (``national_measures``, registered in wiring.py and run by the import job).

A county's first import makes tens of thousands: they are multi-row INSERTs, their content, 国家系统导入, says where
they come from, and the database writes their change-log rows from the rows themselves (``core.audit.log_created``)."""

from __future__ import annotations

from django.db import transaction

from shoudi.core.audit import log_created
from shoudi.core.bulk import insert_values
from shoudi.core.vocabulary import Term, Vocabulary
from shoudi.registry.models import Household

from .choices import MEASURE_CATEGORIES
from .models import Measure

# national_data key → measure category (the national column)
NATIONAL_MEASURES = {
    "measure_industry": "产业帮扶",
    "measure_employment": "就业帮扶",
    "measure_finance": "金融帮扶",
    "measure_public_job": "公益岗位帮扶",
    "measure_health": "健康帮扶",
    "measure_compulsory_education": "义务教育保障",
    "measure_other_education": "其他教育帮扶",
    "measure_social_security": "综合保障",
    "measure_housing": "住房安全保障",
    "measure_water": "饮水安全保障",
    "measure_social": "社会帮扶",
    "measure_relocation": "搬迁",
    "measure_living_conditions": "生产生活条件改善",
    "measure_infrastructure": "基础设施建设",
}
IMPORTED = "国家系统导入"

# the sub-items of each national measure column as a code table (the household import keeps an unknown one as
# written and lists it; a county admin may add it as a synonym)
MEASURE_VOCABULARIES = tuple(
    Vocabulary(
        key,
        f"帮扶措施子项：{category}",
        tuple(Term(item) for item in MEASURE_CATEGORIES[category]),
        multiple=True,
        rule=lambda text, known: "" if text in ("否", "无") else None,
    )
    for key, category in NATIONAL_MEASURES.items()
)


@transaction.atomic
def measures_from_national(*, household_ids) -> int:
    """The national measures of these households not imported yet, as 已落实 measures; returns how many."""
    existing = set(
        Measure.objects.filter(household_id__in=list(household_ids), content=IMPORTED).values_list(
            "household_id", "category", "sub_item"
        )
    )
    new = []
    for pk, data in Household.objects.filter(pk__in=list(household_ids)).values_list("pk", "national_data"):
        for key, value in (data or {}).items():  # a handful of keys per household: only those present
            category = NATIONAL_MEASURES.get(key)
            if category is None or not value:
                continue
            for item in (part.strip() for part in str(value).replace("，", ",").split(",")):
                if not item or item in ("否", "无"):
                    continue
                sub_item = item if item in MEASURE_CATEGORIES[category] else item[:30]
                if (pk, category, sub_item) in existing:
                    continue
                existing.add((pk, category, sub_item))
                new.append((pk, category, sub_item))
    # tens of thousands on a county's first import: one multi-row INSERT per few hundred, no instance per row
    written = insert_values(
        Measure,
        Measure(content=IMPORTED, status="已落实"),
        ("household", "category", "sub_item"),
        new,
        returning=("id",),
    )
    log_created(Measure, [pk for (pk,) in written], represent="o.category || '·' || o.sub_item", parent="household")
    return len(written)


def national_measures(*, household_ids: list[int], user=None) -> dict[str, int]:
    """The import step: counts for the job log."""
    return {"新增": measures_from_national(household_ids=household_ids)}
