"""Cases from the national export: a household the national system lists as 监测对象 becomes an identified case
(or an eliminated one) with the national dates. A step of every committed household import (``national_cases``,
registered in wiring.py and run by the import job).

Written in bulk, as the screening writes its clues (the job hands the households over a few hundred at a time, and a
county's first import holds thousands of monitored households): the cases and their 国家系统导入 timeline entries
are multi-row INSERTs, with no model instance per row. The cases come back from their INSERT (``RETURNING``) and
get their change-log rows (``log_new_cases``, through ``core.audit.log_created``)."""

from __future__ import annotations

import datetime

from django.db import connections, router, transaction
from django.utils import timezone

from shoudi.core.audit import log_created
from shoudi.core.bulk import insert_values
from shoudi.registry.models import Household, Member

from . import choices as c
from .models import CaseEvent, MonitoringCase

__all__ = ["import_national_cases", "national_cases"]


def _date(value) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _yes(value) -> bool:
    return value is True or str(value).strip() in ("是", "true", "True", "1")


def _risks(data: dict) -> tuple[list[str], str]:
    """The risk types of the five 致贫/返贫风险 columns, and the kind of natural disaster one of them names."""
    risks, subtype = [], ""
    for i in range(1, 6):
        known = c.risk_of(data.get(f"risk{i}") or "")
        if known is None:
            continue
        if known[0] not in risks:
            risks.append(known[0])
        subtype = subtype or known[1]
    return risks, subtype


@transaction.atomic
def import_national_cases(household_ids) -> dict[str, int]:
    """Create or update imported cases for these households; returns counts (created/updated/skipped)."""
    counts = {"created": 0, "updated": 0, "skipped": 0}
    ids = list(household_ids)
    existing: dict[int, list[MonitoringCase]] = {}
    for case in MonitoringCase.objects.filter(household_id__in=ids):
        existing.setdefault(case.household_id, []).append(case)
    wanted: list[dict] = []
    # the national columns of the monitored households only: most households of an import are not 监测对象
    households = Household.objects.filter(pk__in=ids, national_data__has_key="identified_on")
    for pk, data in households.values_list("pk", "national_data"):
        data = data or {}
        identified_on = _date(data.get("identified_on"))
        category = data.get("category") or ""
        if not identified_on or category not in c.CATEGORY_VALUES:
            continue
        eliminated = _yes(data.get("eliminated"))
        eliminated_on = _date(data.get("eliminated_on")) if eliminated else None
        elimination_type = (
            data.get("elimination_type") if data.get("elimination_type") in ("帮扶消除", "自然消除") else ""
        )
        cases = existing.get(pk, [])
        same = next((x for x in cases if x.identified_on == identified_on), None)
        if same is None and any(x.is_open for x in cases):
            counts["skipped"] += 1  # Shoudi already follows this household in an open case of its own
            continue
        if same is not None:
            if eliminated and same.step != c.ELIMINATED and same.imported:
                same.step, same.is_open = c.ELIMINATED, False
                same.eliminated_on, same.elimination_type = eliminated_on, elimination_type
                same.save()  # rare: the change log through the model's signals
                CaseEvent.objects.create(
                    case=same,
                    chain=c.ELIMINATION,
                    step=c.ELIMINATED,
                    action="国家系统导入",
                    decision="风险已消除",
                    user_name="导入",
                )
                counts["updated"] += 1
            continue
        risks, subtype = _risks(data)
        wanted.append(
            {
                "household": pk,
                "category": category,
                "risk_types": risks,
                "disaster_subtype": subtype,
                "identified_on": identified_on,
                "eliminated": eliminated,
                "eliminated_on": eliminated_on,
                "elimination_type": elimination_type,
            }
        )
    # one group per shape: what is the same for the whole group goes into the template, so no column of a VALUES
    # list is NULL throughout (PostgreSQL could not tell its type)
    groups: dict[tuple[bool, bool], list[dict]] = {}
    for case in wanted:
        groups.setdefault((case["eliminated"], case["eliminated_on"] is None), []).append(case)
    for (eliminated, no_date), group in groups.items():
        _write(group, eliminated=eliminated, dated=not no_date)
    counts["created"] = len(wanted)
    return counts


def _write(group: list[dict], *, eliminated: bool, dated: bool) -> None:
    """The cases of one shape, then their first timeline entry."""
    connection = connections[router.db_for_write(MonitoringCase)]
    as_json = MonitoringCase._meta.get_field("risk_types").get_db_prep_save
    as_date = MonitoringCase._meta.get_field("identified_on").get_db_prep_save
    case = MonitoringCase(
        source="",
        step=c.ELIMINATED if eliminated else c.MONITORING,
        chain=c.ELIMINATION if eliminated else c.IDENTIFICATION,
        is_open=not eliminated,
        imported=True,
        step_since=timezone.now(),
    )
    fields = [
        "household",
        "category",
        "risk_types",
        "disaster_subtype",
        "clue_date",
        "identified_on",
        "elimination_type",
    ]
    if dated:
        fields.append("eliminated_on")
    case_ids = insert_values(
        MonitoringCase,
        case,
        fields,
        [
            [
                x["household"],
                x["category"],
                as_json(x["risk_types"], connection),
                x["disaster_subtype"],
                as_date(x["identified_on"], connection),
                as_date(x["identified_on"], connection),
                x["elimination_type"],
                *([as_date(x["eliminated_on"], connection)] if dated else []),
            ]
            for x in group
        ],
        returning=("id", "household"),
    )
    written = {x["household"]: x for x in group}
    event = CaseEvent(
        chain=case.chain,
        step=case.step,
        action="国家系统导入",
        decision="已消除" if eliminated else "已识别",
        user_name="导入",
        time=timezone.now(),
    )
    as_json = CaseEvent._meta.get_field("data").get_db_prep_save
    insert_values(
        CaseEvent,
        event,
        ["case", "data"],
        [
            [
                pk,
                as_json(
                    {
                        "identified_on": str(written[household]["identified_on"]),
                        "eliminated_on": str(written[household]["eliminated_on"] or ""),
                    },
                    connection,
                ),
            ]
            for pk, household in case_ids
        ],
    )
    log_new_cases([pk for pk, _ in case_ids], step_label=case.step_label)


def national_cases(*, household_ids: list[int], user=None) -> dict[str, int]:
    """The import step: counts for the job log."""
    counts = import_national_cases(household_ids)
    return {"新增": counts["created"], "更新": counts["updated"], "已有进行中监测记录未导入": counts["skipped"]}


def log_new_cases(case_ids: list[int], *, step_label: str) -> int:
    """The 新增 change-log rows of cases just written in bulk (all at the step ``step_label``), named as the case
    page names them: "<户主>户（<户编号>）·<环节>"."""
    connection = connections[router.db_for_write(MonitoringCase)]
    qn = connection.ops.quote_name
    households, members = qn(Household._meta.db_table), qn(Member._meta.db_table)
    label = step_label.replace("'", "''")
    head = (
        f"(SELECT m.{qn('name')} || '户（' || h.{qn('household_no')} || '）' FROM {members} m "  # noqa: S608
        f"WHERE m.{qn('household_id')} = h.{qn('id')} AND m.{qn('relation')} = '户主' "
        f"ORDER BY m.{qn('id')} LIMIT 1)"
    )
    represent = (
        f"(SELECT COALESCE({head}, '户 ' || h.{qn('household_no')}) FROM {households} h "  # noqa: S608
        f"WHERE h.{qn('id')} = o.{qn('household_id')}) || '·{label}'"
    )
    return log_created(MonitoringCase, case_ids, represent=represent, parent="household")
