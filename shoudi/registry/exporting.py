"""Export of households in the national person-level format (DOMAIN.md §8), the same layout the import reads.

Title (row 1), export details (row 2: time, income year, who), the header (row 3), then one row per member — every
status — with the household's columns repeated. The columns are those of the file the county last imported
(``layouts``): its order, its header names, its unknown columns (from the members' extra data), and no column it
never supplied; a county that never imported one, or ``all_columns``, gets ``national.COLUMNS``. Values are written
the way the import reads them back unchanged: the standard names, 是/否 (blank for unknown), YYYYMM for
year-months, 户编号 and 证件号码 as text, amounts and counts as numbers. Exporting and importing again therefore
changes nothing.

Rows are streamed: households in chunks, their members and incomes fetched per chunk, XlsxWriter in constant-memory
mode, so a county of 400,000 persons needs no more than a few hundred MB.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils import timezone

from shoudi.core.audit import log_access
from shoudi.core.masking import kind_of_label, mask_id_number, mask_phone, mask_text, mask_value
from shoudi.core.models import AccessLog
from shoudi.core.scope import EXPORT, user_can
from shoudi.regions.models import Region

from . import national
from .layouts import EXTRA, ROW_NUMBER
from .models import Household, ImportLayout, IncomeRecord, Member

__all__ = ["ExportColumn", "ExportResult", "export_columns", "export_households", "export_title"]

CHUNK = 2000
PROGRESS_EVERY = 5000

# the site's name where the household links to a 安置点 (the 安置区 column writes the name)
HOUSEHOLD_FIELDS = [f.attname for f in Household._meta.concrete_fields] + ["resettlement_site__name"]
MEMBER_FIELDS = [f.attname for f in Member._meta.concrete_fields]
INCOME_FIELDS = [f.attname for f in IncomeRecord._meta.concrete_fields]
PROBLEM_FLAGS = {  # national column asking about a problem → the guarantee kept in Shoudi
    "housing_problem": "housing_secure",
    "education_problem": "education_secure",
    "insurance_problem": "insurance_secure",
}


@dataclass(frozen=True)
class ExportColumn:
    """One column written: its header, and where its cells come from — a national column, the member's extra data
    under the header (``column`` None), or the row number (``row_number``)."""

    header: str
    column: national.Column | None = None
    row_number: bool = False


NATIONAL = [ExportColumn(c.header, c) for c in national.COLUMNS]


def export_columns(region: Region, *, all_columns: bool = False) -> tuple[list[ExportColumn], ImportLayout | None]:
    """The columns of the file the region's county last imported, and that import; the national set (and None)
    with ``all_columns`` or when the county never imported a file."""
    layout = None if all_columns else ImportLayout.latest_for(region.code[:6])
    if layout is None:
        return NATIONAL, None
    by_target = {c.target: c for c in national.COLUMNS}
    columns = []
    for header, target in layout.columns:
        if target == ROW_NUMBER:
            columns.append(ExportColumn(header, row_number=True))
        else:  # EXTRA, or a target no longer known: the member's extra data under the header
            columns.append(ExportColumn(header, by_target.get(target) if target != EXTRA else None))
    return columns, layout


class ExportResult:
    """What was written: households, members (rows), the income year, the file, and whose columns."""

    def __init__(
        self,
        path,
        households: int,
        members: int,
        income_year: int,
        region: Region,
        columns: int = len(national.COLUMNS),
        layout: ImportLayout | None = None,
    ):
        self.path = path
        self.households = households
        self.members = members
        self.income_year = income_year
        self.region = region
        self.columns = columns
        self.layout = layout

    @property
    def columns_text(self) -> str:
        if self.layout is None:
            return f"国家系统全部 {self.columns} 列"
        return f"按最近导入的文件“{self.layout.file_name}”的 {self.columns} 列"

    def summary(self) -> str:
        return (
            f"已导出 {self.region.full_name} {self.households} 户 {self.members} 人"
            f"（收入年度 {self.income_year}，{self.columns_text}）：{self.path}"
        )


def export_title(region: Region) -> str:
    return f"{region.full_name} 农户信息导出"


def _yes_no(value) -> str | None:
    if value is None:
        return None
    return "是" if value else "否"


def _yearmonth(value) -> str | None:
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day:%Y%m}"


def _cell(column: national.Column, value):
    """A stored value as the national file writes it (and the import reads back unchanged)."""
    if value is None or value == "":
        return None
    kind = column.kind
    if kind == "bool":
        return _yes_no(value)
    if kind == "yearmonth":
        return _yearmonth(value)
    if kind == "money":
        return Decimal(value)
    if kind == "int":
        return int(value)
    return str(value)


HEALTH_KEYS = frozenset({"health", "disability_category", "disability_grade", "medical_aid"})


def _masking(columns: list[ExportColumn]) -> list[tuple[int, Callable]]:
    """For a role without unmask: (index, what the cell becomes) — ID numbers and phones masked (by the one masking
    function), incomes and health left out; an unknown column of the imported file (a member's extra data) by what
    its header names (出生日期 to the year, 身份证号 and 手机 masked, 收入 and 疾病 left out), else any ID or mobile
    number in its text masked."""
    out = []
    for index, export_column in enumerate(columns):
        column = export_column.column
        if column is None:
            if not export_column.row_number:
                kind = kind_of_label(export_column.header)
                if kind == "hidden":
                    out.append((index, lambda value: None))
                else:
                    out.append((index, functools.partial(mask_value, kind) if kind else mask_text))
            continue
        if column.kind == "id_number":
            out.append((index, mask_id_number))
        elif column.kind == "phone":
            out.append((index, mask_phone))
        elif column.section == "income" or column.key in HEALTH_KEYS:
            out.append((index, lambda value: None))
    return out


def _masked(rows: Iterator[list], masking: list[tuple[int, Callable]]) -> Iterator[list]:
    for row in rows:
        for index, mask in masking:
            if row[index] is not None:
                row[index] = mask(row[index])
        yield row


def _place_names(village_ids) -> dict[int, tuple[str, str, str]]:
    names = {}
    for village in Region.objects.filter(pk__in=list(village_ids)).select_related("parent__parent"):
        township = village.parent
        county = township.parent if township is not None else None
        names[village.pk] = (county.name if county else "", township.name if township else "", village.name)
    return names


def _rows(
    households: Iterator[dict], columns: list[ExportColumn], income_year: int, progress, total: int
) -> Iterator[list]:
    """One list of cell values per member, in the order of ``columns``."""
    places: dict[int, tuple[str, str, str]] = {}
    done = 0
    chunk: list[dict] = []
    for household in households:
        chunk.append(household)
        if len(chunk) >= CHUNK:
            done = yield from _chunk_rows(chunk, columns, places, income_year, progress, total, done)
            chunk = []
    if chunk:
        yield from _chunk_rows(chunk, columns, places, income_year, progress, total, done)


def _member_positions(columns: list[ExportColumn]) -> tuple[list, list, list]:
    """Where a member row differs from its household's: (index, national column), (index, extra header), row-number
    indexes."""
    member = [(i, c.column) for i, c in enumerate(columns) if c.column is not None and c.column.section == "member"]
    extra = [(i, c.header) for i, c in enumerate(columns) if c.column is None and not c.row_number]
    numbers = [i for i, c in enumerate(columns) if c.row_number]
    return member, extra, numbers


def _chunk_rows(
    batch: list[dict],
    columns: list[ExportColumn],
    places: dict[int, tuple[str, str, str]],
    income_year: int,
    progress,
    total: int,
    done: int,
) -> Generator[list, None, int]:
    """The member rows of a chunk of households, their members and incomes fetched at once; returns ``done``
    (member rows written so far) for the progress display."""
    member_cols, extra_cols, number_cols = _member_positions(columns)
    ids = [h["id"] for h in batch]
    unknown = {h["village_id"] for h in batch} - set(places)
    if unknown:
        places.update(_place_names(unknown))
    members: dict[int, list[dict]] = defaultdict(list)
    for member in Member.objects.filter(household_id__in=ids).order_by("household_id", "id").values(*MEMBER_FIELDS):
        members[member["household_id"]].append(member)
    incomes = {
        r["household_id"]: r
        for r in IncomeRecord.objects.filter(household_id__in=ids, year=income_year).values(*INCOME_FIELDS)
    }
    for household in batch:
        shared = _household_cells(household, columns, places, incomes.get(household["id"], {}))
        for member in members.get(household["id"], []):
            row = list(shared)
            for index, column in member_cols:
                row[index] = _cell(column, member[column.key])
            if extra_cols:
                extra = member["extra"] or {}
                for index, header in extra_cols:
                    row[index] = extra.get(header) or None
            done += 1
            for index in number_cols:
                row[index] = done
            yield row
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total, "导出农户信息")
    return done


def _household_cells(
    household: dict, columns: list[ExportColumn], places: dict[int, tuple[str, str, str]], income: dict
) -> list:
    """The cells every member row of the household repeats (place, household, national and income columns);
    None where a member's own cell goes. Called once per household."""
    county, township, village = places.get(household["village_id"], ("", "", ""))
    data = household["national_data"] or {}
    shared = []
    for export_column in columns:
        column = export_column.column
        if column is None:
            shared.append(None)  # extra data or the row number: filled per member
            continue
        section, key = column.section, column.key
        if section == "place":
            value = {"county": county, "township": township, "village": village}[key]
        elif section == "household":
            if key in PROBLEM_FLAGS:
                secure = household[PROBLEM_FLAGS[key]]
                value = None if secure is None else not secure
            elif key == "resettlement_site":
                value = household["resettlement_site__name"] or ""
            else:
                value = household[key]
        elif section == "national":
            value = data.get(key)
        elif section == "income":
            value = income.get(key)
        else:
            shared.append(None)  # member columns are filled below
            continue
        shared.append(_cell(column, value))
    return shared


def export_households(
    out_path,
    *,
    region: Region | str,
    user=None,
    income_year: int | None = None,
    progress: Callable[..., None] | None = None,
    all_columns: bool = False,
) -> ExportResult:
    """Write every household of ``region`` (a county, township or village, or its code) to ``out_path`` (.xlsx).

    The columns are those of the file the region's county last imported (``export_columns``); ``all_columns``
    writes every column of the national system instead.

    With a ``user``: the role must allow exporting households (``PermissionDenied`` if not), only households in the
    user's scope are written. A role without unmask gets ID numbers and phones masked, birth dates (an unknown
    column of the imported file) to their year and no incomes or health (the file can then not be imported back).
    ``user`` None is the command line. Every export is recorded in the access log. ``income_year`` defaults to
    the latest year with incomes among these households.
    """
    if isinstance(region, str):
        region = Region.objects.get(code=region)
    households = Household.objects.filter(village__code__startswith=region.code)
    if user is not None:
        if not user_can(user, Household, EXPORT):
            raise PermissionDenied("您的角色无权导出农户信息")
        if not Region.objects.restrict(user, "view").filter(pk=region.pk).exists():
            raise PermissionDenied("该区划不在您的管辖范围内")
        households = households.restrict(user, EXPORT)
    household_count = households.count()
    member_count = Member.objects.filter(household__in=households).count()
    if income_year is None:
        income_year = (
            IncomeRecord.objects.filter(household__in=households).aggregate(year=Max("year"))["year"]
            or timezone.localdate().year - 1
        )
    who = (user.get_full_name() or user.get_username()) if user is not None else "命令行"
    details = (
        f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}；收入年度：{income_year}；导出人：{who}；"
        f"共 {household_count} 户 {member_count} 人"
    )
    columns, layout = export_columns(region, all_columns=all_columns)
    ordered = households.order_by("village__code", "household_no").values(*HOUSEHOLD_FIELDS).iterator(chunk_size=CHUNK)
    rows = _rows(ordered, columns, income_year, progress, member_count)
    full = user is None or user_can(user, Household, "unmask")
    if not full:
        rows = _masked(rows, _masking(columns))
    written = national.write_national_xlsx(
        out_path,
        rows,
        title=export_title(region),
        details=details,
        headers=[c.header for c in columns],
    )
    if progress is not None:
        progress(written, member_count, "导出完成")
    # every export is logged, the command line's too (its file has full ID numbers)
    log_access(
        user=user,
        action=AccessLog.EXPORT,
        record_count=written,
        region_code=region.code,
        detail=f"{'命令行' if user is None else ''}导出农户信息（"
        f"{'含完整证件号码、出生日期' if full else '证件号码、电话已脱敏，不含收入和健康信息，出生日期仅显示年份'}）："
        f"{region.full_name} {household_count} 户 {written} 人",
    )
    return ExportResult(out_path, household_count, written, income_year, region, len(columns), layout)
