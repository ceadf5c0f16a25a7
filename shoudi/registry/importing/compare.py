"""The check of a parsed file against the database: each household new, changed, unchanged or in error.

Households are compared a chunk at a time (``DB_CHUNK``): their rows, members and income of the year are loaded in
bulk — members first only as far as needed to see they are unchanged — and what differs is handed to the writer
(``write.write_chunk``) while the next chunk is compared. Nothing is deleted: members missing from the file are
listed for review.
"""

from __future__ import annotations

import datetime
import weakref
from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

from shoudi.core.audit import actor_fields
from shoudi.core.context import current_actor
from shoudi.core.idnumbers import RESIDENT_ID
from shoudi.core.masking import mask_id_number
from shoudi.core.models import ObjectChange
from shoudi.regions.importing import RowError

from ..models import Household, IncomeRecord, Member
from ..vocabularies import RELATION
from .bulk import BackgroundWriter, BulkTable, audit_fields
from .changelog import CreationLog
from .converters import cells_getter
from .derived import IncomeStandIn, MemberStandIn, initials_of_name
from .parse import ParsedFile, ParsedHousehold
from .places import Place, PlaceResolver, VillageScope
from .results import (
    CHANGED,
    DB_CHUNK,
    ERROR,
    NEW,
    UNCHANGED,
    HouseholdImportResult,
    MissingMember,
    Progress,
    VillageCounts,
)
from .sites import SiteResolver
from .write import PendingWrites, write_chunk

__all__ = ["ImportRun"]

# the fields compared and logged (the time stamps are neither: reading them back costs a timezone conversion each)
HOUSEHOLD_ATTNAMES = [f.attname for f in Household._meta.concrete_fields if f.name not in Household.audit_exclude]
MEMBER_ATTNAMES = [f.attname for f in Member._meta.concrete_fields if f.name not in Member.audit_exclude]
INCOME_ATTNAMES = [f.attname for f in IncomeRecord._meta.concrete_fields if f.name not in IncomeRecord.audit_exclude]
INCOME_INPUTS = ("wage", "business", "property_income", "transfer", "business_cost", "compliant_medical")
GUARANTEES = {  # file column target → (model field, inverted: the national column asks about a problem)
    "household.housing_problem": ("housing_secure", True),
    "household.water_secure": ("water_secure", False),
    "household.education_problem": ("education_secure", True),
    "household.insurance_problem": ("insurance_secure", True),
}
PARTIAL = "__partial__"  # marks a member row read only in part: as far as needed to see it is unchanged
NOT_NULL_BOOLS = {
    f.attname for f in Household._meta.concrete_fields if isinstance(f, models.BooleanField) and not f.null
}


def _mask_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else name


def _rows_text(rows: list[int]) -> str:
    """ "4–8" for rows in a run, else "4、6、9" (the first ten)."""
    if len(rows) > 1 and rows[-1] - rows[0] == len(rows) - 1:
        return f"{rows[0]}–{rows[-1]}"
    return "、".join(str(r) for r in rows[:10]) + (" 等" if len(rows) > 10 else "")


class ImportRun:
    """One check (and, when writing, one write) of a parsed file against the database."""

    def __init__(
        self,
        parsed: ParsedFile,
        result: HouseholdImportResult,
        *,
        user,
        income_year: int,
        create_regions: bool,
        write: bool,
        all_or_nothing: bool,
        progress: Progress | None,
    ):
        self.parsed = parsed
        self.result = result
        self.user = user
        self.year = income_year
        self.write = write
        self.all_or_nothing = all_or_nothing
        self.progress = progress
        self.today = timezone.localdate()
        self.checked_on = parsed.export_date or self.today
        self.now = timezone.now()
        headers = dict(parsed.household_cols)
        self.places = PlaceResolver(
            user, result, headers, create=create_regions and result.can_create_regions, requested=create_regions
        )
        self.scope = VillageScope(user)
        self.actor = current_actor()
        actor_user = actor_fields(self.actor)
        self.actor_ids = {
            "user_id": actor_user["user"].pk if actor_user["user"] is not None else None,
            "user_name": actor_user["user_name"],
        }
        self.types = {m: ContentType.objects.get_for_model(m).pk for m in (Household, Member, IncomeRecord)}
        self.audit_fields = {m: audit_fields(m) for m in (Household, Member, IncomeRecord)}
        self.tables = {m: BulkTable(m) for m in (Household, Member, IncomeRecord, ObjectChange)}

        hcols = [t for t, _h in parsed.household_cols]
        self.place_positions = tuple(
            hcols.index(t) if t in hcols else None for t in ("place.county", "place.township", "place.village")
        )
        self.household_setters: list[tuple[int, str, str]] = []  # (position, how, name)
        for position, target in enumerate(hcols):
            section, _dot, key = target.partition(".")
            if target in GUARANTEES:
                self.household_setters.append((position, "guarantee", target))
            elif section == "household":
                self.household_setters.append((position, "field", key))
            elif section == "national":
                self.household_setters.append((position, "national", key))
        self.income_positions = {t.partition(".")[2]: i for i, t in enumerate(hcols) if t.startswith("income.")}
        self.income_inputs = [k for k in INCOME_INPUTS if k in self.income_positions]
        self.size_position = hcols.index("household.size") if "household.size" in hcols else None
        self.site_position = next((i for i, t in enumerate(hcols) if t == "household.resettlement_site"), None)
        mcols = [t for t, _h in parsed.member_cols]
        self.member_setters = [(i, t.partition(".")[2]) for i, t in enumerate(mcols) if t not in ("member.gender",)]
        self.gender_position = mcols.index("member.gender") if "member.gender" in mcols else None
        self.id_type_position = mcols.index("member.id_type") if "member.id_type" in mcols else None
        self.relation_position = mcols.index("member.relation")
        self.unknown_columns = frozenset(parsed.unknown_columns)
        self.initials: dict[str, str] = {}
        self.letters: dict[str, str] = {}
        self.written: list[int] = []  # households created or changed: announced after the commit
        self.inserted = 0
        # a weak reference: no cycle, so the run's millions of objects are freed as soon as the run is dropped,
        # not by a collection that would first traverse them all
        self.create_log = CreationLog(weakref.proxy(self))
        members = self.tables[Member]
        now = members.prepared_value("created_at", self.now)
        template = {**members.defaults, "created_at": now, "updated_at": now, "extra": members.json_value({})}
        self.member_template = [template[name] for name in members.attnames]
        self.member_at = members.position
        self.member_slots = [(i, members.position[f]) for i, f in self.member_setters]
        # the member columns the file sets, compared as tuples: file values at these positions, database columns
        compared = [(i, f) for i, f in self.member_setters if f != "id_type"]
        self.compared_fields = [
            "id",
            "household_id",
            "id_number",
            "status",
            "name",
            "id_type",
            "gender",
            "relation",
            *(f for _i, f in compared),
            *(["extra"] if self.unknown_columns else []),
        ]
        self.file_values = cells_getter([i for i, _f in compared])
        self.db_values = cells_getter(list(range(8, 8 + len(compared))))
        self.db = connections[DEFAULT_DB_ALIAS]
        self.writer = BackgroundWriter(None)
        self.sites = SiteResolver(result, user=user, write=write, lock=lambda: self.writer.lock)
        self.counts: dict[tuple[str, str], VillageCounts] = result.villages
        self.changes: list[dict] = []
        self.aborted = False

    # --- helpers ---

    def derive(self, name: str, id_type: str, id_number: str, gender: str, birth_date) -> tuple:
        """(name_initials, gender, birth_date) as ``Member.derive_from_id`` sets them (bulk inserts skip save()).

        Gender and birth date come from the model's own method, applied to a stand-in; the pinyin initials from the
        same ``initials_of``, memoised for the whole import — pypinyin needs ~20 µs a name and its LRU cache holds
        65,536 names, fewer than the ~120,000 distinct names of a county. A test keeps both equal to a real save().
        """
        derived = MemberStandIn("", id_type, id_number, gender, birth_date)
        Member.derive_from_id(derived)
        initials = self.initials.get(name)
        if initials is None:
            initials = self.initials[name] = initials_of_name(name, self.letters)
        return initials, derived.gender, derived.birth_date

    def _counts(self, household: ParsedHousehold, place: Place | None) -> VillageCounts:
        values = household.values
        township = values[self.place_positions[1]] if self.place_positions[1] is not None else ""
        village = values[self.place_positions[2]] if self.place_positions[2] is not None else ""
        key = (township, village)
        counts = self.counts.get(key)
        if counts is None:
            counts = self.counts[key] = VillageCounts(str(township), str(village))
        if place is not None and place.village is not None and not counts.code:
            counts.code = place.village.code
        return counts

    def _fail(self, household: ParsedHousehold, column: str, message: str) -> None:
        """A household-level problem found against the database: the whole household is an error."""
        household.error = True
        self.result.add_error(household.first_row, column, message)
        for row in household.rows[1:]:
            self.result.add_reason(row, f"同户其他行有错误（见第 {household.first_row} 行），本户未导入")

    def log_change(
        self, model, action: str, pk: int, repr_: str, before, after, region_code: str, parent_pk: int | None
    ) -> None:
        self.changes.append(
            {
                **self.actor_ids,
                "time": self.now,
                "source": self.actor.source,
                "request_id": self.actor.request_id,
                "action": action,
                "content_type_id": self.types[model],
                "object_id": str(pk),
                "object_repr": repr_[:200],
                "parent_content_type_id": self.types[Household] if parent_pk is not None else None,
                "parent_object_id": str(parent_pk) if parent_pk is not None else "",
                "region_code": region_code,
                "before": before,
                "after": after,
            }
        )

    def differs(self, household: ParsedHousehold, rows: dict[str, tuple]) -> bool:
        """Whether any member of the file might differ from its row (new members aside): compared as tuples."""
        for _row, id_number, name, values, extra in household.members:
            previous = rows.get(id_number)
            if previous is None:
                continue
            if name != previous[4] or self.file_values(values) != self.db_values(previous):
                return True
            id_type = values[self.id_type_position] if self.id_type_position is not None else ""
            if id_type and id_type != previous[5]:
                return True
            gender = values[self.gender_position] if self.gender_position is not None else ""
            if gender and not previous[6]:
                return True
            if self.unknown_columns:
                old = previous[-1] or {}
                kept = {k: v for k, v in old.items() if k not in self.unknown_columns}
                if {**kept, **(extra or {})} != old:
                    return True
        return False

    def partial_member(self, row: tuple) -> dict:
        """A member row of ``compared_fields`` as the dict the comparison reads, marked ``PARTIAL``."""
        return {
            "id": row[0],
            "household_id": row[1],
            "id_number": row[2],
            "status": row[3],
            "name": row[4],
            "relation": row[7],
            PARTIAL: True,
        }

    def new_member(self, id_number: str, name: str, values: tuple, extra: dict | None, gender: str) -> list:
        """The row of a member new to the database: a list in ``BulkTable.attnames`` order, for ``prepared`` inserts."""
        member = list(self.member_template)
        for position, index in self.member_slots:
            member[index] = values[position]
        at = self.member_at
        id_type = member[at["id_type"]] or RESIDENT_ID
        member[at["id_type"]] = id_type
        member[at["name"]] = name
        member[at["id_number"]] = id_number
        if extra:
            member[at["extra"]] = self.tables[Member].json_value(extra)
        initials, member[at["gender"]], birth_date = self.derive(name, id_type, id_number, gender, None)
        member[at["name_initials"]] = initials
        member[at["birth_date"]] = birth_date.isoformat() if birth_date is not None else None
        return member

    # --- the household's values from the file ---

    def _household_updates(self, household: ParsedHousehold, place: Place, village_code: str) -> tuple[dict, dict]:
        """(attname → value, national key → value or None) as the file says."""
        fields: dict = {}
        national_values: dict = {}
        values = household.values
        for position, how, name in self.household_setters:
            value = values[position]
            if name == "resettlement_site":
                fields["resettlement_site_id"] = self._site_of(household, place, village_code, position)
            elif how == "field":
                if name in NOT_NULL_BOOLS and value is None:
                    value = False
                fields[name] = value
            elif how == "guarantee":
                field_name, inverted = GUARANTEES[name]
                fields[field_name] = (not value if inverted else value) if value is not None else None
            else:
                national_values[name] = value.isoformat() if isinstance(value, datetime.date) else value
        return fields, national_values

    def _site_of(self, household: ParsedHousehold, place: Place, village_code: str, position: int) -> int | None:
        """The id of the 安置点 the 安置区 cell names (created on a commit when the county has none of that name)."""
        return self.sites.resolve(
            household.values[position],
            village_code=village_code,
            village=place.village,
            row=household.first_row,
            header=self.parsed.household_cols[position][1],
        )

    def _income_values(self, household: ParsedHousehold, existing: dict | None, members_in_force: int) -> dict | None:
        if not self.income_inputs:
            return None
        values = household.values
        given = {k: values[self.income_positions[k]] for k in self.income_inputs}
        if all(v is None for v in given.values()):
            return None
        given = {k: Decimal(v) if v is not None else None for k, v in given.items()}
        record = {k: (existing[k] if existing else Decimal("0")) for k in INCOME_INPUTS}
        record.update({k: (v if v is not None else Decimal("0")) for k, v in given.items()})
        size = values[self.size_position] if self.size_position is not None else None
        record["household_size"] = size or members_in_force
        computed = IncomeStandIn(record)
        IncomeRecord.compute(computed)
        record["net_income"], record["per_capita"] = computed.net_income, computed.per_capita
        for key, label in (("net_income", "家庭纯收入"), ("per_capita", "人均纯收入")):
            position = self.income_positions.get(key)
            stated = Decimal(values[position]) if position is not None and values[position] is not None else None
            if stated is not None and abs(stated - record[key]) > 1:
                header = self.parsed.household_cols[position][1]
                self.result.warnings.append(
                    RowError(
                        household.first_row,
                        header,
                        f"{label} {stated} 与按各项收入计算的 {record[key]} 相差超过 1 元（以计算值为准）",
                    )
                )
        return record

    # --- one chunk of households ---

    def chunk(self, households: list[ParsedHousehold]) -> None:
        """Compare one chunk of households with the database and, when writing, queue what differs."""
        todo = self._placed(households)
        if not todo:
            return
        existing, members_of, incomes = self._existing(todo)
        pending = PendingWrites([], [], [], [], [], [], [])
        compare = self._compare
        for household, place in todo:
            compare(household, place, existing.get(household.no), members_of, incomes, pending)
        self._queue(pending)

    def _placed(self, households: list[ParsedHousehold]) -> list[tuple[ParsedHousehold, Place]]:
        """The households of the chunk without error, with their place (resolved, in the user's scope)."""
        todo: list[tuple[ParsedHousehold, Place]] = []
        for household in households:
            place = None
            if not household.error:
                key = tuple(household.values[p] if p is not None else "" for p in self.place_positions)
                place = self.places.resolve(key, household.first_row)
                if place.error:
                    self._fail(household, place.column, place.error)
                elif place.village is not None and not self.scope.allows(place.village.pk):
                    self._fail(
                        household,
                        self.places.headers.get("place.village", "村"),
                        f"村“{place.village.name}”不在您的管辖范围内",
                    )
            if household.error:
                self._count_error(household, place)
                continue
            todo.append((household, place))
        return todo

    def _count_error(self, household: ParsedHousehold, place: Place | None) -> None:
        counts = self._counts(household, place)
        counts.households[ERROR] += 1
        counts.members[ERROR] += len(household.rows)

    # --- the rows already in the database ---

    def _existing(self, todo: list[tuple[ParsedHousehold, Place]]) -> tuple[dict, dict, dict]:
        """(household_no → household row, household id → id_number → member row, household id → income row)."""
        nos = [h.no for h, _p in todo]
        members_of: dict[int, dict[str, dict]] = defaultdict(dict)
        incomes: dict[int, dict] = {}
        with self.writer.lock:  # the writer thread may be writing the previous chunk on the same connection
            existing = {
                r["household_no"]: r for r in Household.objects.filter(household_no__in=nos).values(*HOUSEHOLD_ATTNAMES)
            }
            self.scope.check(r["village_id"] for r in existing.values())
            ids = [r["id"] for r in existing.values()]
            if ids:
                members_of = self._members_of(todo, existing, ids)
                for row in IncomeRecord.objects.filter(household_id__in=ids, year=self.year).values(*INCOME_ATTNAMES):
                    incomes[row["household_id"]] = row
        return existing, members_of, incomes

    def _members_of(
        self, todo: list[tuple[ParsedHousehold, Place]], existing: dict[str, dict], ids: list[int]
    ) -> dict[int, dict[str, dict]]:
        """The members of the existing households: in part (``PARTIAL``) where the file cannot change them."""
        # members as short tuples of the columns the file sets; the full rows (for the change log) only
        # of households where some member differs — an unchanged file reads as little as possible
        members_of: dict[int, dict[str, dict]] = defaultdict(dict)
        partial: dict[int, dict[str, tuple]] = defaultdict(dict)
        for row in Member.objects.filter(household_id__in=ids).values_list(*self.compared_fields):
            partial[row[1]][row[2]] = row
        by_no = {h.no: h for h, _p in todo}
        full = [old["id"] for no, old in existing.items() if self.differs(by_no[no], partial.get(old["id"], {}))]
        for household_id, rows in partial.items():
            members_of[household_id] = {no: self.partial_member(row) for no, row in rows.items()}
        if full:
            for row in Member.objects.filter(household_id__in=full).values(*MEMBER_ATTNAMES):
                members_of[row["household_id"]][row["id_number"]] = row
        return members_of

    # --- one household against its rows ---

    def _compare(
        self,
        household: ParsedHousehold,
        place: Place,
        old: dict | None,
        members_of: dict[int, dict[str, dict]],
        incomes: dict[int, dict],
        pending: PendingWrites,
    ) -> None:
        """Count the household new, changed, unchanged or in error; add what differs to ``pending``."""
        if old is not None and not self.scope.allows(old["village_id"]):
            self._fail(
                household,
                self.places.headers.get("household.household_no", "户编号"),
                f"户编号 {household.no} 已登记在其他村，不在您的管辖范围内",
            )
            self._count_error(household, place)
            return
        head = self._head_name(household)
        if head is None:
            self._count_error(household, place)
            return
        counts = self._counts(household, place)
        village_code = place.village.code if place.village is not None else place.new_village
        plan, household_status = self._compare_household(household, place, old, head, village_code, pending)
        olds = members_of.get(old["id"], {}) if old is not None else {}
        in_force, any_member_changed = self._compare_members(household, olds, plan, village_code, old, counts, pending)
        if olds:
            self._missing_members(household, place, olds)
        if self._compare_income(household, old, incomes, in_force, plan, village_code, pending):
            any_member_changed = True
        if household_status == UNCHANGED and any_member_changed:
            household_status = CHANGED
        if household_status == CHANGED:
            pending.changed_ids.append(old["id"])
        counts.households[household_status] += 1

    def _head_name(self, household: ParsedHousehold) -> str | None:
        """The name of the household's one head; None (the household an error) if it has none or several.

        The 户主 decides whose household it is (一户一档, the head's name on every page), so unlike a descriptive
        value this one refuses the household; an unknown 与户主关系 is named, since a synonym may be what is missing.
        """
        position = self.relation_position
        heads = [m for m in household.members if m[3][position] == "户主"]
        if len(heads) == 1:
            return heads[0][2]
        header = self.parsed.member_cols[position][1]
        if heads:
            rows = "、".join(str(m[0]) for m in heads)
            message = f"户编号 {household.no} 有 {len(heads)} 个户主（第 {rows} 行），每户应只有一个户主"
        else:
            written = sorted({m[3][position] for m in household.members if m[3][position] not in RELATION.values})
            hint = (
                f"；本户有码表中没有的与户主关系“{'、'.join(written)}”，如表示户主请在码表中添加同义词"
                if written
                else ""
            )
            message = f"户编号 {household.no} 没有户主（第 {_rows_text(household.rows)} 行中应有一人为“户主”）{hint}"
        self._fail(household, header, message)
        return None

    def _compare_household(
        self,
        household: ParsedHousehold,
        place: Place,
        old: dict | None,
        head: str | None,
        village_code: str,
        pending: PendingWrites,
    ) -> tuple[dict, str]:
        """(the household's plan, which its members and income refer to; its status as far as its own row goes)."""
        if old is None and not self.write:
            if self.site_position is not None:  # the check warns of a site to be created, as the commit will
                self._site_of(household, place, village_code, self.site_position)
            return {}, NEW  # a preview only counts
        fields, national_values = self._household_updates(household, place, village_code)
        if old is None:
            new = dict(self.tables[Household].defaults)
            new["national_data"] = {}
            new.update(fields)
            new["household_no"] = household.no
            new["national_data"] = {k: v for k, v in national_values.items() if v not in (None, "")}
            for field_name, _inverted in GUARANTEES.values():
                if new.get(field_name) is not None:
                    new[field_name.replace("_secure", "_checked_on")] = self.checked_on
            plan = {"new": new, "place": place, "head": head, "code": village_code}
            pending.new_households.append(plan)
            return plan, NEW
        new = self._updated_household(old, place, fields, national_values)
        changed = {a: new[a] for a in HOUSEHOLD_ATTNAMES if new[a] != old[a]}
        if changed:
            pending.household_updates.append(
                {"old": old, "new": new, "changed": changed, "place": place, "head": head, "code": village_code}
            )
        # moving to a village still to be created is a change too
        return {"id": old["id"], "place": place}, CHANGED if changed or place.village is None else UNCHANGED

    def _updated_household(self, old: dict, place: Place, fields: dict, national_values: dict) -> dict:
        """The existing household's row as the file would leave it."""
        new = dict(old)
        new.update(fields)
        if place.village is not None:
            new["village_id"] = place.village.pk
        data = dict(old["national_data"] or {})
        for key, value in national_values.items():
            if value in (None, ""):
                data.pop(key, None)
            else:
                data[key] = value
        new["national_data"] = data
        for field_name, _inverted in GUARANTEES.values():
            if new[field_name] != old[field_name] and new[field_name] is not None:
                new[field_name.replace("_secure", "_checked_on")] = self.checked_on
        return new

    # --- its members ---

    def _compare_members(
        self,
        household: ParsedHousehold,
        olds: dict[str, dict],
        plan: dict,
        village_code: str,
        old: dict | None,
        counts: VillageCounts,
        pending: PendingWrites,
    ) -> tuple[int, bool]:
        """(members in force, whether any member is new or changed); new and changed members go to ``pending``."""
        gender_position, write, members = self.gender_position, self.write, counts.members
        in_force = 0
        any_member_changed = False
        for _row, id_number, name, values, extra in household.members:
            previous = olds.get(id_number)
            gender = values[gender_position] if gender_position is not None else ""
            if previous is None:
                in_force += 1
                members[NEW] += 1
                any_member_changed = True
                if write:  # a preview only counts
                    pending.new_members.append(
                        (plan, self.new_member(id_number, name, values, extra, gender), village_code)
                    )
                continue
            in_force += previous["status"] == "正常"
            if previous.get(PARTIAL):
                members[UNCHANGED] += 1  # the whole household compared equal (see differs())
                continue
            member, changed = self._compare_member(previous, id_number, name, values, extra, gender)
            if changed:
                pending.member_updates.append((previous, member, changed, village_code, old["id"]))
                members[CHANGED] += 1
                any_member_changed = True
            else:
                members[UNCHANGED] += 1
        return in_force, any_member_changed

    def _compare_member(
        self, previous: dict, id_number: str, name: str, values: tuple, extra: dict | None, gender: str
    ) -> tuple[dict, dict]:
        """(the member's row as the file would leave it, the fields that differ from ``previous``)."""
        member_fields = {name_: values[i] for i, name_ in self.member_setters}
        if not member_fields.get("id_type"):
            member_fields["id_type"] = previous["id_type"]
        member_fields["name"] = name
        member = dict(previous)
        member.update(member_fields)
        if self.unknown_columns:
            kept = {k: v for k, v in (previous["extra"] or {}).items() if k not in self.unknown_columns}
            member["extra"] = {**kept, **(extra or {})}
        if (
            member["name"] != previous["name"]
            or member["id_type"] != previous["id_type"]
            or (gender and not previous["gender"])
        ):
            member["name_initials"], member["gender"], member["birth_date"] = self.derive(
                name, member["id_type"], id_number, gender or previous["gender"], previous["birth_date"]
            )
        return member, {a: member[a] for a in member if member[a] != previous[a]}

    def _missing_members(self, household: ParsedHousehold, place: Place, olds: dict[str, dict]) -> None:
        """Members in force in the database but not in the file: listed for review, never deleted."""
        in_file = {m[1] for m in household.members}
        village_name = place.village.name if place.village is not None else place.village_name
        for id_number, previous in olds.items():
            if id_number not in in_file and previous["status"] == "正常":
                self.result.missing_members.append(
                    MissingMember(
                        household.no,
                        village_name,
                        _mask_name(previous["name"]),
                        mask_id_number(id_number),
                        previous["relation"],
                        household.first_row,
                    )
                )

    # --- its income of the year ---

    def _compare_income(
        self,
        household: ParsedHousehold,
        old: dict | None,
        incomes: dict[int, dict],
        in_force: int,
        plan: dict,
        village_code: str,
        pending: PendingWrites,
    ) -> bool:
        """Whether the file gives a new or changed income of the year (added to ``pending``)."""
        old_income = incomes.get(old["id"]) if old is not None else None
        income = self._income_values(household, old_income, in_force)
        if income is None:
            return False
        if old_income is None:
            pending.new_incomes.append((plan, income, village_code))
            return True
        changed = {k: v for k, v in income.items() if v != old_income[k]}
        if changed:
            pending.income_updates.append((old_income, changed, village_code, old["id"]))
            return True
        return False

    # --- the writes ---

    def _queue(self, pending: PendingWrites) -> None:
        """Hand the chunk's writes to the writer thread (nothing when previewing or once aborted)."""
        if self.write and not self.aborted:
            if self.all_or_nothing and self.result.errors:
                self.aborted = True
                return
            self.writer.submit(lambda: write_chunk(self, pending))

    def run(self) -> None:
        """Check (and, when writing, write) every household of the file, a chunk at a time."""
        parsed, result = self.parsed, self.result
        households = list(parsed.households.values())
        # Places first, so that a commit creates the missing regions before any household refers to them.
        per_place: dict[tuple, int] = defaultdict(int)
        for household in households:
            if household.error:
                continue
            key = tuple(household.values[p] if p is not None else "" for p in self.place_positions)
            self.places.resolve(key, household.first_row)
            per_place[key] += 1
        self.scope.check(p.village.pk for p in self.places.places.values() if p.village is not None)
        if self.write and self.all_or_nothing and (result.errors or any(p.error for p in self.places.places.values())):
            self.aborted = True  # nothing will be written: check on, to report every error
        if self.write and not self.aborted and self.places.create:
            self.places.create_regions()
        total = len(households)
        self.writer = BackgroundWriter(self.db if self.write else None)
        try:
            for start in range(0, total, DB_CHUNK):
                self.chunk(households[start : start + DB_CHUNK])
                if self.progress is not None:
                    self.progress(min(start + DB_CHUNK, total), total, "写入数据库" if self.write else "核对数据库")
        finally:
            self.writer.finish()
        created = self.write and not self.aborted and self.places.create
        result.missing_regions = self.places.missing(per_place, created)
