"""Writing one compared chunk: rows inserted and updated in bulk, only the changed fields, each with its change-log
row (those of creations built by the database, ``changelog.CreationLog``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shoudi.core.models import ObjectChange

from ..models import Household, IncomeRecord, Member
from .bulk import audit_json, json_loaded

if TYPE_CHECKING:
    from .compare import ImportRun

__all__ = ["PendingWrites", "household_repr", "write_chunk"]


def household_repr(no: str, head_name: str | None) -> str:
    # Household.__str__, without its query for the head.
    return f"{head_name}户（{no}）" if head_name else f"户 {no}"


@dataclass
class PendingWrites:
    """What the comparison of one chunk found to write (the plans and rows of ``ImportRun.chunk``)."""

    new_households: list[dict]  # {"new": row, "place", "head", "code"}; "id" once inserted
    household_updates: list[dict]  # {"old", "new", "changed", "place", "head", "code"}
    new_members: list[tuple]  # (household plan, row in BulkTable.attnames order, village code)
    member_updates: list[tuple]  # (previous, member, changed, village code, household id)
    new_incomes: list[tuple]  # (household plan, income row, village code)
    income_updates: list[tuple]  # (old, changed, village code, household id)
    changed_ids: list[int]  # existing households changed


def write_chunk(run: ImportRun, pending: PendingWrites) -> None:
    """Write one chunk (on the writer thread, holding the connection's lock)."""
    new_households, household_updates = pending.new_households, pending.household_updates
    new_members, member_updates = pending.new_members, pending.member_updates
    new_incomes, income_updates = pending.new_incomes, pending.income_updates
    changed_ids = pending.changed_ids
    run.written.extend(changed_ids)
    run.inserted += len(new_households) + len(new_members) + len(new_incomes)
    audit = run.audit_fields
    tables = run.tables
    # households
    rows = [plan["new"] for plan in new_households]
    for plan in new_households:
        plan["new"]["village_id"] = plan["place"].village.pk
        plan["new"]["created_at"] = plan["new"]["updated_at"] = run.now
    tables[Household].insert(rows)
    for plan in new_households:
        plan["id"] = plan["new"]["id"]
        run.written.append(plan["id"])
    updates = []
    for update in household_updates:
        changed = dict(update["changed"])
        if update["place"].village is not None and update["new"]["village_id"] != update["old"]["village_id"]:
            changed["village_id"] = update["new"]["village_id"]
        if not changed:
            continue
        changed["updated_at"] = run.now
        updates.append((update["old"]["id"], changed))
        run.log_change(
            Household,
            ObjectChange.UPDATE,
            update["old"]["id"],
            household_repr(update["old"]["household_no"], update["head"]),
            audit_json(audit[Household], update["old"]),
            audit_json(audit[Household], update["new"]),
            update["code"],
            None,
        )
    tables[Household].update(updates)
    # members
    at = run.member_at["household_id"]
    rows = []
    for plan, member, _code in new_members:
        member[at] = plan["id"]
        rows.append(member)
    member_ids = tables[Member].insert(rows, prepared=True)
    updates = []
    for previous, member, changed, code, household_id in member_updates:
        changed = dict(changed, updated_at=run.now)
        updates.append((previous["id"], changed))
        run.log_change(
            Member,
            ObjectChange.UPDATE,
            previous["id"],
            member["name"],
            audit_json(audit[Member], previous),
            audit_json(audit[Member], member),
            code,
            household_id,
        )
    tables[Member].update(updates)
    # incomes
    rows = []
    for plan, income, _code in new_incomes:
        income.update(household_id=plan["id"], year=run.year, created_at=run.now, updated_at=run.now)
        rows.append(income)
    tables[IncomeRecord].insert(rows)
    updates = []
    for old, changed, code, household_id in income_updates:
        updates.append((old["id"], dict(changed, updated_at=run.now)))
        run.log_change(
            IncomeRecord,
            ObjectChange.UPDATE,
            old["id"],
            f"{run.year} 年收入",
            audit_json(audit[IncomeRecord], old),
            audit_json(audit[IncomeRecord], {**old, **changed}),
            code,
            household_id,
        )
    tables[IncomeRecord].update(updates)
    # the creations' change-log rows, written by the database from the rows just inserted
    run.create_log.log(
        Household,
        [plan["id"] for plan in new_households],
        fallback=lambda: [
            (p["new"], household_repr(p["new"]["household_no"], p["head"]), p["code"], None) for p in new_households
        ],
    )

    def member_dicts():
        names = tables[Member].attnames
        for pk, (plan, row, code) in zip(member_ids, new_members, strict=True):
            member = dict(zip(names, row, strict=True), id=pk)
            member["extra"] = json_loaded(member["extra"])
            yield member, member["name"], code, plan["id"]

    run.create_log.log(Member, member_ids, fallback=lambda: list(member_dicts()))
    run.create_log.log(
        IncomeRecord,
        [i["id"] for _p, i, _c in new_incomes],
        fallback=lambda: [(i, f"{run.year} 年收入", c, p["id"]) for p, i, c in new_incomes],
    )
    tables[ObjectChange].insert(run.changes, want_ids=False)
    run.changes = []
