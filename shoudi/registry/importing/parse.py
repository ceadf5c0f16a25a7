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
from operator import call
from pathlib import Path

from shoudi.core.cells import CellError, cell_text
from shoudi.core.idnumbers import parse_id_number
from shoudi.core.tabular import FileRejected
from shoudi.regions.importing import RowError

from .converters import INVALID, KnownColumn, cells_getter
from .header import HEADER_SEARCH_ROWS, find_header, match_columns, title_facts
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
SNAPSHOT_VERSION = 1  # of ParsedFile's shape, as the snapshot keeps it


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


def parse_file(path: Path, *, progress: Progress | None) -> ParsedFile:
    """Read and convert every row; group the rows by 户编号. Raises ``FileRejected``."""
    # Hundreds of thousands of new tuples that all live until the end: the cyclic GC would only walk them again
    # and again (none of them forms a cycle).
    with gc_paused():
        return _parse(path, progress)


def _parse(path: Path, progress: Progress | None) -> ParsedFile:  # noqa: C901, PLR0912, PLR0915 - per-row loop, ADR 0008
    digest = file_digest(path)
    rows, total = open_rows(path)
    head: list[tuple[int, list]] = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    found = find_header(head)
    if found is None:
        raise FileRejected(f"未找到表头：前 {HEADER_SEARCH_ROWS} 行中应有“户编号”和“证件号码”等列")
    header_index, header_values = found
    header_row = head[header_index][0]
    title, export_date, income_year = title_facts([values for _n, values in head[:header_index]])

    columns = match_columns(header_values, header_row)
    cols, unknown, warnings, headers = columns.known, columns.unknown, columns.warnings, columns.headers

    width = len(headers)
    household_cols = [
        c
        for c in cols.values()
        if c.column.section in ("place", "household", "national", "income")
        and c.column.target != "household.household_no"
    ]
    member_cols = [
        c
        for c in cols.values()
        if c.column.section == "member" and c.column.target not in ("member.id_number", "member.name")
    ]
    no_col, id_col, name_col = cols["household.household_no"], cols["member.id_number"], cols["member.name"]
    get_household = cells_getter([c.index for c in household_cols])
    get_member = cells_getter([c.index for c in member_cols])
    household_convs = [c.convert for c in household_cols]
    member_convs = [c.convert for c in member_cols]
    place_positions = [i for i, c in enumerate(household_cols) if c.column.section == "place"]
    id_type_position = next((i for i, c in enumerate(member_cols) if c.column.target == "member.id_type"), None)
    relation_position = next(i for i, c in enumerate(member_cols) if c.column.target == "member.relation")
    type_position = next(i for i, c in enumerate(household_cols) if c.column.target == "household.household_type")
    unknown_getter = cells_getter([i for i, _h in unknown])
    unknown_headers = [h for _i, h in unknown]

    households: dict[str, ParsedHousehold] = {}
    seen_ids: dict[str, tuple[str, int]] = {}
    errors: list[RowError] = []
    report: dict[int, str] = {}
    today = datetime.date.today()

    def error(row: int, column: str, message: str) -> None:
        errors.append(RowError(row, column, message))
        reason = f"{column}：{message}" if column else message
        report[row] = f"{report[row]}；{reason}" if row in report else reason

    def bad_cells(row: int, group: list[KnownColumn], raws: tuple, values: tuple) -> None:
        for col, raw, value in zip(group, raws, values, strict=True):
            if value is INVALID:
                error(row, col.header, col.messages.get(raw, "值无效"))

    def row_items() -> Iterator[tuple[int, list]]:
        yield from head[header_index + 1 :]
        yield from rows

    count = 0
    for number, values in row_items():
        if len(values) < width:
            values = values + [""] * (width - len(values))
        raw_no = values[no_col.index]
        no = no_col.convert(raw_no)
        if not no:
            if no is INVALID:
                error(number, no_col.header, no_col.messages.get(raw_no, "值无效"))
            elif any(v not in ("", None) for v in values):
                error(number, no_col.header, "户编号为空")
            else:
                continue  # a blank line
            count += 1
            continue
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count, total and max(total - header_row, count), "读取文件")

        raw_household = get_household(values)
        household = households.get(no)
        if household is None:
            parsed = tuple(map(call, household_convs, raw_household))
            household = households[no] = ParsedHousehold(no, number, hash(raw_household), parsed)
            if INVALID in parsed:
                bad_cells(number, household_cols, raw_household, parsed)
                household.error = True
            if parsed[type_position] == "":
                error(number, cols["household.household_type"].header, "户类型不能为空")
                household.error = True
        else:
            household.rows.append(number)
            if hash(raw_household) != household.raw_hash:
                parsed = tuple(map(call, household_convs, raw_household))
                differing = [i for i, (a, b) in enumerate(zip(parsed, household.values, strict=True)) if a != b]
                for i in differing:
                    col = household_cols[i]
                    if i in place_positions:
                        first = f"第 {household.first_row} 行为“{household.values[i]}”"
                        error(number, col.header, f"同一户编号的各行{col.header}不一致（{first}）")
                        household.error = True
                    elif parsed[i] is not INVALID:
                        warnings.append(
                            RowError(
                                number,
                                col.header,
                                f"与本户第 {household.first_row} 行不一致，以第 {household.first_row} 行为准",
                            )
                        )
                if INVALID in parsed:
                    bad_cells(number, household_cols, raw_household, parsed)
                    household.error = True

        raw_member = get_member(values)
        member = tuple(map(call, member_convs, raw_member))
        row_ok = True
        if INVALID in member:
            bad_cells(number, member_cols, raw_member, member)
            row_ok = False
        if member[relation_position] == "":
            error(number, member_cols[relation_position].header, "与户主关系不能为空")
            row_ok = False
        name = name_col.convert(values[name_col.index])
        if name is INVALID or not name:
            error(
                number,
                name_col.header,
                name_col.messages.get(values[name_col.index], "姓名不能为空") if name is INVALID else "姓名不能为空",
            )
            row_ok = False
        id_type = member[id_type_position] if id_type_position is not None else ""
        raw_id = values[id_col.index]
        try:
            id_number = parse_id_number(raw_id, id_type if id_type is not INVALID else "", today=today)
        except CellError as exc:
            error(number, id_col.header, f"{exc}（“{cell_text(raw_id)}”）" if cell_text(raw_id) else str(exc))
            id_number, row_ok = "", False
        if id_number:
            first = seen_ids.get(id_number)
            if first is None:
                seen_ids[id_number] = (no, number)
            else:
                where = "本户" if first[0] == no else f"户编号 {first[0]}"
                error(number, id_col.header, f"证件号码与第 {first[1]} 行（{where}）重复")
                row_ok = False
        extra = None
        if unknown:
            extra = {
                h: t for h, v in zip(unknown_headers, unknown_getter(values), strict=True) if (t := cell_text(v))
            } or None
        household.members.append((number, id_number, name, member, extra))
        if not row_ok:
            household.error = True
    if progress is not None:
        progress(count, count, "读取文件")

    # A household with an error anywhere is reported whole: its other rows say why they were not imported either.
    for household in households.values():
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

    return ParsedFile(
        version=SNAPSHOT_VERSION,
        digest=digest,
        file_name=path.name,
        header_row=header_row,
        headers=headers,
        household_cols=[(c.column.target, c.header) for c in household_cols],
        member_cols=[(c.column.target, c.header) for c in member_cols],
        unknown_columns=unknown_headers,
        title_text=title,
        export_date=export_date,
        income_year=income_year,
        rows=count,
        households=households,
        errors=errors,
        warnings=warnings,
        report_rows=report,
    )
