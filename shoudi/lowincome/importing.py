"""Reading a 民政 list (低保、特困、低保边缘… 名单) from Excel or CSV: each row a person and a category, matched by ID
number to the members in the user's scope. Nothing is written here: the preview shows what confirming would do —
new designations, designations the list ends (a 终止日期), rows already in the register, and unmatched persons, each
with its row number — and ``services.import_designations`` applies it.

A 类别 the code table does not know is kept as written and warned about, never refused; a bad ID number or date is
an error naming its row and column, and a list with errors is not applied."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from shoudi.core.cells import CellError, cell_text, fold, parse_date
from shoudi.core.idnumbers import IdNumberError, parse_id_number
from shoudi.core.tabular import FileRejected, find_header, read_table
from shoudi.registry.models import Member

from . import choices as c
from .models import Designation

__all__ = ["DesignationList", "ListRow", "read_designation_list"]

ALIASES = {
    "name": ("姓名", "保障对象姓名", "人员姓名"),
    "id_number": ("证件号码", "身份证号", "身份证号码", "公民身份号码"),
    "category": ("类别", "保障类别", "救助类别", "人员类别", "对象类别"),
    "since": ("起始日期", "享受起始日期", "纳入日期", "认定日期", "开始日期"),
    "until": ("终止日期", "退出日期", "停保日期", "结束日期"),
    "note": ("备注", "说明"),
}
REQUIRED = ("name", "id_number", "category")
COLUMN_LABELS = {name: names[0] for name, names in ALIASES.items()}
MAX_ROWS = 20000


@dataclass
class ListRow:
    """One row of the list as the preview shows it and the import applies it."""

    row: int
    name: str
    id_number: str
    category: str
    since: datetime.date | None = None
    until: datetime.date | None = None
    note: str = ""
    member_id: int | None = None
    member_name: str = ""
    village: str = ""
    designation_id: int | None = None  # the designation in force the row ends
    reason: str = ""  # why an unchanged row needs nothing


@dataclass
class DesignationList:
    """The list sorted by what confirming does, with every warning and error (row, column, message)."""

    file_name: str = ""
    new: list[ListRow] = field(default_factory=list)
    ended: list[ListRow] = field(default_factory=list)
    unchanged: list[ListRow] = field(default_factory=list)
    unmatched: list[ListRow] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.new or self.ended) and not self.errors

    @property
    def rows(self) -> list[ListRow]:  # what confirming writes
        return [*self.new, *self.ended]


def _date(cells: dict, key: str, number: int, out: DesignationList) -> datetime.date | None:
    try:
        text = parse_date(cells.get(key, ""))
    except CellError as exc:
        out.errors.append((number, COLUMN_LABELS[key], str(exc)))
        return None
    return datetime.date.fromisoformat(text) if text else None


def _category(text: str, reader, number: int, out: DesignationList) -> str:
    value = reader(text)
    if value:
        return value
    out.warnings.append((number, COLUMN_LABELS["category"], f"“{text}”不在低收入人口类别码表中，按原文保存"))
    return text[:30]


def _parse(body, start: int, columns: dict, out: DesignationList, today: datetime.date) -> list[ListRow]:
    reader = c.CATEGORY_VOCABULARY.reader()
    rows, seen = [], set()
    for offset, raw in enumerate(body):
        number = start + offset + 2  # the spreadsheet's row number
        cells = {name: raw[col] if col < len(raw) else "" for name, col in columns.items()}
        if not any(cell_text(v) for v in cells.values()):
            continue
        before = len(out.errors)
        try:
            id_number = parse_id_number(cells["id_number"], today=today)
        except IdNumberError as exc:
            out.errors.append((number, COLUMN_LABELS["id_number"], str(exc)))
            id_number = ""
        name = cell_text(cells["name"])
        if not name:
            out.errors.append((number, COLUMN_LABELS["name"], "姓名不能为空"))
        text = cell_text(cells["category"])
        if not text:
            out.errors.append((number, COLUMN_LABELS["category"], "类别不能为空"))
        since, until = _date(cells, "since", number, out), _date(cells, "until", number, out)
        if since and until and until < since:
            out.errors.append((number, COLUMN_LABELS["until"], "终止日期不能早于起始日期"))
        if until and until > today:
            out.errors.append((number, COLUMN_LABELS["until"], f"终止日期 {until:%Y-%m-%d} 晚于今天"))
        if len(out.errors) > before:
            continue
        category = _category(text, reader, number, out)
        if (id_number, category) in seen:
            out.warnings.append((number, COLUMN_LABELS["id_number"], "与前面的行重复（同一证件号码和类别），已跳过"))
            continue
        seen.add((id_number, category))
        note = cell_text(cells.get("note", ""))[:200]
        rows.append(ListRow(number, name[:50], id_number, category, since, until, note))
    return rows


def _chunks(values: list, size: int = 2000):
    for start in range(0, len(values), size):  # SQLite takes a bounded number of parameters a statement
        yield values[start : start + size]


def _sort(rows: list[ListRow], out: DesignationList, user, today: datetime.date) -> None:
    members, in_force = {}, {}
    scope = Member.objects.restrict(user, "view").select_related("household__village").order_by("status", "pk")
    for numbers in _chunks(sorted({r.id_number for r in rows})):
        for member in scope.filter(id_number__in=numbers):
            members.setdefault(member.id_number, member)  # a number in two households: the 正常 member first
    for ids in _chunks([m.pk for m in members.values()]):
        open_rows = Designation.objects.filter(member__in=ids, until__isnull=True)
        for mid, category, pk in open_rows.values_list("member_id", "category", "pk"):
            in_force[(mid, category)] = pk
    for row in rows:
        member = members.get(row.id_number)
        if member is None:
            out.unmatched.append(row)
            continue
        row.member_id, row.member_name, row.village = member.pk, member.name, member.household.village.name
        if fold(member.name) != fold(row.name):
            out.warnings.append((row.row, COLUMN_LABELS["name"], f"与登记的姓名“{member.name}”不一致，按证件号码匹配"))
        existing = in_force.get((member.pk, row.category))
        if row.until is not None:
            if existing is None:
                row.reason = "名单已终止，无在册认定"
                out.unchanged.append(row)
            else:
                row.designation_id = existing
                out.ended.append(row)
        elif existing is not None:
            row.reason = "已在册"
            out.unchanged.append(row)
        else:
            row.since = row.since or today
            out.new.append(row)


def read_designation_list(content: bytes, filename: str, *, user) -> DesignationList:
    """Check every row of a 民政 list against the user's scope; ``FileRejected`` when the file cannot be read."""
    rows = read_table(content, filename, has_header=lambda r: find_header(r, ALIASES, REQUIRED) is not None)
    header = find_header(rows, ALIASES, REQUIRED)
    if header is None:
        raise FileRejected("没有找到表头：民政名单应有“姓名”“证件号码”“类别”列")
    start, columns = header
    body = rows[start + 1 :]
    if len(body) > MAX_ROWS:
        raise FileRejected(f"一次最多导入 {MAX_ROWS} 行")
    today = timezone.localdate()
    out = DesignationList(file_name=filename)
    parsed = _parse(body, start, columns, out, today)
    if not parsed and not out.errors:
        raise FileRejected("文件中没有名单行")
    _sort(parsed, out, user, today)
    return out
