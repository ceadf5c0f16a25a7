"""Parsing the national export: every row read and converted, grouped by 户编号, before the database is consulted.

An error in any row of a household marks the whole household (it is never half-imported); the report names the
reason of every row not imported.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from operator import call
from pathlib import Path

from django.utils import timezone

from shoudi.core.cells import CellError, cell_text
from shoudi.core.idnumbers import parse_id_number
from shoudi.core.tabular import FileRejected
from shoudi.core.vocabulary import Tables, synonyms_stamp
from shoudi.regions.importing import RowError

from .converters import INVALID, KnownColumn, UnreadYesNo, cells_getter
from .header import HEADER_SEARCH_ROWS, FileColumns, find_header, match_columns, title_facts
from .results import Progress
from .xlsx import open_rows

__all__ = [
    "PROGRESS_EVERY",
    "SNAPSHOT_VERSION",
    "ParsedFile",
    "ParsedHousehold",
    "file_digest",
    "gc_paused",
    "parse_file",
]

PROGRESS_EVERY = 5000  # rows between two progress calls
SNAPSHOT_VERSION = 2  # of ParsedFile's shape, as the snapshot keeps it


class ParsedHousehold:
    """The rows of one 户编号: the household's values (from its first row) and one tuple per member."""

    __slots__ = ("error", "first_row", "members", "no", "raw_hash", "rows", "values")

    def __init__(self, no: str, first_row: int, raw_hash: int, values: tuple):
        self.no = no
        self.first_row = first_row
        self.raw_hash = raw_hash
        self.values = values  # aligned with ParsedFile.household_cols
        self.rows: list[int] = [first_row]
        self.members: list[tuple] = []  # (row, id_number, name, values aligned with member_cols, extra or None)
        self.error = False


@dataclass
class ParsedFile:
    """Everything read from the file, before the database is consulted; kept between preview and commit."""

    version: int
    digest: str
    file_name: str
    header_row: int
    headers: list[str]
    household_cols: list[tuple[str, str]]  # (target, header)
    member_cols: list[tuple[str, str]]
    unknown_columns: list[str]
    title_text: str
    export_date: datetime.date | None
    income_year: int | None
    rows: int
    households: dict[str, ParsedHousehold]
    errors: list[RowError]
    warnings: list[RowError]
    report_rows: dict[int, str]
    # (header, target, value as written, rows) of every value a code table does not know: kept, and listed
    unknown_values: list[tuple[str, str, str, list[int]]]
    vocabulary_stamp: str  # the synonyms the parse knew (core.vocabulary.synonyms_stamp)


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while building or loading large acyclic structures (docs/adr/0102)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def file_digest(path: Path) -> str:
    """The content hash that names the file's snapshot."""
    digest = hashlib.blake2b(digest_size=20)
    with path.open("rb") as handle:
        while block := handle.read(8 << 20):
            digest.update(block)
    return digest.hexdigest()


def parse_file(path: Path, *, progress: Progress | None, county: str | None = None) -> ParsedFile:
    """Read and convert every row; group the rows by 户编号. Raises ``FileRejected``.

    ``county`` (the importing user's region code) chooses the synonyms of the code tables: that county's and the
    deployment-wide ones; None, every synonym (the command line).
    """
    # Hundreds of thousands of new tuples that all live until the end: the cyclic GC would only walk them again
    # and again (none of them forms a cycle).
    with gc_paused():
        return _parse(path, progress, county)


def _parse(path: Path, progress: Progress | None, county: str | None) -> ParsedFile:
    digest = file_digest(path)
    stamp = synonyms_stamp(county)
    rows, total = open_rows(path)
    head, header_index, header_values = _read_header(rows)
    header_row = head[header_index][0]
    title, export_date, income_year = title_facts([values for _n, values in head[:header_index]])
    reader = _RowReader(match_columns(header_values, header_row, Tables(county)), timezone.localdate())
    count = reader.read_rows(chain(head[header_index + 1 :], rows), progress, total, header_row)
    unknown_values = reader.unknown_values()
    reader.report_whole_households()
    return ParsedFile(
        version=SNAPSHOT_VERSION,
        digest=digest,
        file_name=path.name,
        header_row=header_row,
        headers=reader.headers,
        household_cols=[(c.column.target, c.header) for c in reader.household_cols],
        member_cols=[(c.column.target, c.header) for c in reader.member_cols],
        unknown_columns=reader.unknown_headers,
        title_text=title,
        export_date=export_date,
        income_year=income_year,
        rows=count,
        households=reader.households,
        errors=reader.errors,
        warnings=reader.warnings,
        report_rows=reader.report,
        unknown_values=unknown_values,
        vocabulary_stamp=stamp,
    )


def _read_header(rows: Iterator[tuple[int, list]]) -> tuple[list[tuple[int, list]], int, list]:
    """(the first rows read, the index of the header among them, its values). Raises ``FileRejected``."""
    head: list[tuple[int, list]] = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    found = find_header(head)
    if found is None:
        raise FileRejected(f"未找到表头：前 {HEADER_SEARCH_ROWS} 行中应有“户编号”和“证件号码”等列")
    header_index, header_values = found
    return head, header_index, header_values


class _RowReader:
    """The rows after the header, converted along the file's columns and grouped by 户编号, with their errors.

    The per-row steps read what they need from ``self``; everything derived from the header is worked out once, here.
    """

    def __init__(self, columns: FileColumns, today: datetime.date):
        cols = columns.known
        self.headers = columns.headers
        self.warnings = columns.warnings
        self.width = len(self.headers)
        self.household_cols = [
            c
            for c in cols.values()
            if c.column.section in ("place", "household", "national", "income")
            and c.column.target != "household.household_no"
        ]
        self.member_cols = [
            c
            for c in cols.values()
            if c.column.section == "member" and c.column.target not in ("member.id_number", "member.name")
        ]
        self.no_col, self.id_col, self.name_col = (
            cols["household.household_no"],
            cols["member.id_number"],
            cols["member.name"],
        )
        self.get_household = cells_getter([c.index for c in self.household_cols])
        self.get_member = cells_getter([c.index for c in self.member_cols])
        self.household_convs = [c.convert for c in self.household_cols]
        self.member_convs = [c.convert for c in self.member_cols]
        self.place_positions = [i for i, c in enumerate(self.household_cols) if c.column.section == "place"]
        self.id_type_position = next(
            (i for i, c in enumerate(self.member_cols) if c.column.target == "member.id_type"), None
        )
        self.relation_position = next(i for i, c in enumerate(self.member_cols) if c.column.target == "member.relation")
        self.type_position = next(
            i for i, c in enumerate(self.household_cols) if c.column.target == "household.household_type"
        )
        self.type_header = self.household_cols[self.type_position].header
        self.unknown = columns.unknown
        self.unknown_getter = cells_getter([i for i, _h in columns.unknown])
        self.unknown_headers = [h for _i, h in columns.unknown]
        self.today = today
        self.households: dict[str, ParsedHousehold] = {}
        self.seen_ids: dict[str, tuple[str, int]] = {}
        self.errors: list[RowError] = []
        self.report: dict[int, str] = {}

    # --- errors ---

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))
        reason = f"{column}：{message}" if column else message
        report = self.report
        report[row] = f"{report[row]}；{reason}" if row in report else reason

    def bad_cells(self, row: int, group: list[KnownColumn], raws: tuple, values: tuple) -> None:
        for col, raw, value in zip(group, raws, values, strict=True):
            if value is INVALID:
                self.error(row, col.header, col.messages.get(raw, "值无效"))

    # --- the loop ---

    def read_rows(
        self, rows: Iterator[tuple[int, list]], progress: Progress | None, total: int | None, header_row: int
    ) -> int:
        """Read every row; the number of rows counted (blank lines are not)."""
        width, no_col, households = self.width, self.no_col, self.households
        no_index, convert_no = no_col.index, no_col.convert
        without_number, first_row, later_row, member_row = (
            self.without_number,
            self.first_row,
            self.later_row,
            self.member_row,
        )
        count = 0
        for number, values in rows:
            if len(values) < width:
                values = values + [""] * (width - len(values))
            raw_no = values[no_index]
            no = convert_no(raw_no)
            if not no:
                count += without_number(number, values, raw_no, no)
                continue
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count, total and max(total - header_row, count), "读取文件")
            household = households.get(no)
            if household is None:
                household = first_row(no, number, values)
            else:
                later_row(household, number, values)
            if not member_row(household, no, number, values):
                household.error = True
        if progress is not None:
            progress(count, count, "读取文件")
        return count

    def without_number(self, number: int, values: list, raw_no, no) -> int:
        """A row without a valid 户编号: an error, or a blank line (not counted: 0)."""
        no_col = self.no_col
        if no is INVALID:
            self.error(number, no_col.header, no_col.messages.get(raw_no, "值无效"))
        elif any(v not in ("", None) for v in values):
            self.error(number, no_col.header, "户编号为空")
        else:
            return 0
        return 1

    # --- the household's values ---

    def first_row(self, no: str, number: int, values: list) -> ParsedHousehold:
        """The first row of a 户编号 gives the household's values."""
        raw_household = self.get_household(values)
        parsed = tuple(map(call, self.household_convs, raw_household))
        household = self.households[no] = ParsedHousehold(no, number, hash(raw_household), parsed)
        if INVALID in parsed:
            self.bad_cells(number, self.household_cols, raw_household, parsed)
            household.error = True
        if parsed[self.type_position] == "":
            self.error(number, self.type_header, "户类型不能为空")
            household.error = True
        return household

    def later_row(self, household: ParsedHousehold, number: int, values: list) -> None:
        """A later row of a 户编号 repeats the household's values: mostly the very same cells."""
        household.rows.append(number)
        raw_household = self.get_household(values)
        if hash(raw_household) != household.raw_hash:
            self.inconsistent_row(household, number, raw_household)

    def inconsistent_row(self, household: ParsedHousehold, number: int, raw_household: tuple) -> None:
        """A later row whose household cells differ from the first row's: places must agree, the rest warns."""
        parsed = tuple(map(call, self.household_convs, raw_household))
        differing = [i for i, (a, b) in enumerate(zip(parsed, household.values, strict=True)) if a != b]
        for i in differing:
            col = self.household_cols[i]
            if i in self.place_positions:
                first = f"第 {household.first_row} 行为“{household.values[i]}”"
                self.error(number, col.header, f"同一户编号的各行{col.header}不一致（{first}）")
                household.error = True
            elif parsed[i] is not INVALID:
                self.warnings.append(
                    RowError(
                        number,
                        col.header,
                        f"与本户第 {household.first_row} 行不一致，以第 {household.first_row} 行为准",
                    )
                )
        if INVALID in parsed:
            self.bad_cells(number, self.household_cols, raw_household, parsed)
            household.error = True

    # --- the member of each row ---

    def member_row(self, household: ParsedHousehold, no: str, number: int, values: list) -> bool:
        """Convert the row's member and add it to its household; whether the row is free of errors."""
        raw_member = self.get_member(values)
        member = tuple(map(call, self.member_convs, raw_member))
        row_ok = True
        if INVALID in member:
            self.bad_cells(number, self.member_cols, raw_member, member)
            row_ok = False
        if member[self.relation_position] == "":
            self.error(number, self.member_cols[self.relation_position].header, "与户主关系不能为空")
            row_ok = False
        name_col = self.name_col
        name = name_col.convert(values[name_col.index])
        if name is INVALID or not name:
            self.error(
                number,
                name_col.header,
                name_col.messages.get(values[name_col.index], "姓名不能为空") if name is INVALID else "姓名不能为空",
            )
            row_ok = False
        id_type = member[self.id_type_position] if self.id_type_position is not None else ""
        id_number = self.id_number(number, values, id_type)
        if id_number is None:
            id_number, row_ok = "", False
        elif id_number and not self.first_seen(no, number, id_number):
            row_ok = False
        extra = None
        if self.unknown:
            extra = {
                h: t
                for h, v in zip(self.unknown_headers, self.unknown_getter(values), strict=True)
                if (t := cell_text(v))
            } or None
        household.members.append((number, id_number, name, member, extra))
        return row_ok

    def id_number(self, number: int, values: list, id_type) -> str | None:
        """The row's 证件号码, checked against its type; ``None`` if it is invalid."""
        raw_id = values[self.id_col.index]
        try:
            return parse_id_number(raw_id, id_type if id_type is not INVALID else "", today=self.today)
        except CellError as exc:
            self.error(number, self.id_col.header, f"{exc}（“{cell_text(raw_id)}”）" if cell_text(raw_id) else str(exc))
            return None

    def first_seen(self, no: str, number: int, id_number: str) -> bool:
        """Whether the 证件号码 appears here first in the file; a repeat is an error."""
        first = self.seen_ids.get(id_number)
        if first is None:
            self.seen_ids[id_number] = (no, number)
            return True
        where = "本户" if first[0] == no else f"户编号 {first[0]}"
        self.error(number, self.id_col.header, f"证件号码与第 {first[1]} 行（{where}）重复")
        return False

    # --- values the code tables do not know ---

    def unknown_values(self) -> list[tuple[str, str, str, list[int]]]:
        """(header, target, value, rows) of each text a code table did not know, in the file's column order.

        The converters remember the texts, once each; the rows are found here, and only for the columns that have
        any (a clean file costs nothing).
        """
        found = []
        households = self.households.values()
        for group, of_member in ((self.household_cols, False), (self.member_cols, True)):
            for position, col in enumerate(group):
                if not col.unknown:
                    continue
                rows: dict[str, list[int]] = {text: [] for text in sorted(col.unknown)}
                pairs = (
                    ((m[3][position], (m[0],)) for h in households for m in h.members)
                    if of_member
                    else ((h.values[position], h.rows) for h in households)
                )
                if col.column.kind == "bool":
                    self._blank_unread(position, of_member, rows)
                for value, where in pairs:
                    if type(value) is not str or not value:
                        continue
                    for part in value.split(",") if "," in value else (value,):
                        if part in rows:
                            rows[part].extend(where)
                found.extend((col.index, col.header, col.column.target, t, sorted(r)) for t, r in rows.items() if r)
        found.sort(key=lambda item: item[0])  # stable: within a column, the texts stay sorted
        return [item[1:] for item in found]

    def _blank_unread(self, position: int, of_member: bool, rows: dict[str, list[int]]) -> None:
        """A 是否 column's cells no word of the table means: their rows noted, None in their place."""
        for household in self.households.values():
            if not of_member:
                value = household.values[position]
                if type(value) is UnreadYesNo:
                    rows[str(value)].extend(household.rows)
                    household.values = (*household.values[:position], None, *household.values[position + 1 :])
                continue
            for i, (row, id_number, name, values, extra) in enumerate(household.members):
                value = values[position]
                if type(value) is UnreadYesNo:
                    rows[str(value)].append(row)
                    values = (*values[:position], None, *values[position + 1 :])
                    household.members[i] = (row, id_number, name, values, extra)

    # --- the households, whole ---

    def report_whole_households(self) -> None:
        """A household with an error anywhere is reported whole: its other rows say why they were not imported."""
        report = self.report
        for household in self.households.values():
            if household.error:
                first_bad = min((r for r in household.rows if r in report), default=household.first_row)
                for row in household.rows:
                    report.setdefault(row, f"同户其他行有错误（见第 {first_bad} 行），本户未导入")
                # INVALID markers have served: plain values only, for the snapshot
                household.values = tuple(None if v is INVALID else v for v in household.values)
                household.members = [
                    (
                        row,
                        id_number,
                        None if name is INVALID else name,
                        tuple(None if v is INVALID else v for v in values),
                        extra,
                    )
                    for row, id_number, name, values, extra in household.members
                ]
