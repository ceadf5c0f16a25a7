"""Import of a division list (区划代码表): an Excel or CSV file of (区划代码, 名称, 上级代码) rows.

The file is read in full and every row is checked before anything is written: the code's digits and length
(6 县 / 9 乡镇 / 12 村), the name, the parent code (the code's own prefix), that the parent exists in the system or in
the same file, duplicates, and — for a user — that the code lies inside the user's region. One error anywhere
rejects the whole file; otherwise new regions are created parents first and changed names are updated, through
ordinary model saves so the change log records each of them. The caller sets who acts (``acting_as``): the web
request does, the ``import_regions`` command sets ``source="cli"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, router, transaction

from shoudi.core.cells import cell_text, fold
from shoudi.core.scope import IMPORT, user_can
from shoudi.core.tabular import (
    ALLOWED_EXTENSIONS,
    HEADER_SEARCH_ROWS,
    FileRejected,
    content_of,
    find_header,
    read_table,
)

from .models import Region, level_for_code, parent_code_of

__all__ = [
    "ALLOWED_EXTENSIONS",
    "FileRejected",
    "ImportResult",
    "ImportRow",
    "RowError",
    "import_regions",
    "normalize_code",
    "read_rows",
]

MAX_ROWS = 200_000
NAME_MAX_LENGTH = Region._meta.get_field("name").max_length

CODE, NAME, PARENT = "code", "name", "parent"
FIELD_LABELS = {CODE: "区划代码", NAME: "名称", PARENT: "上级代码"}
HEADER_ALIASES = {
    CODE: ("区划代码", "代码", "统计用区划代码", "编码", "区划编码", "code"),
    NAME: ("名称", "区划名称", "name"),
    PARENT: ("上级代码", "上级区划代码", "父级代码", "parent_code", "parent"),
}
LEVEL_LABELS = {6: "县", 9: "乡镇", 12: "村"}

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
STATUS_LABELS = {NEW: "新增", CHANGED: "修改", UNCHANGED: "未变", ERROR: "错误"}


@dataclass(frozen=True)
class RowError:
    """One problem: the row number as the user sees it in Excel (None for the file as a whole) and the field."""

    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.field or '文件'}：{self.message}"
        return f"第 {self.row} 行 {self.field}：{self.message}"


@dataclass
class ImportRow:
    """One data row of the file, normalised, with what the import does (or would do) with it."""

    row: int
    code: str
    name: str
    parent_code: str
    status: str = ""
    old_name: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, "")

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(len(self.code), "") if self.code.isdigit() else ""


@dataclass
class ImportResult:
    """What an import found and did: every row, every error, and whether anything was written."""

    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False

    def _count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new(self) -> int:
        return self._count(NEW)

    @property
    def changed(self) -> int:
        return self._count(CHANGED)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)

    @property
    def error_count(self) -> int:
        return len(self.errors)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return f"新增 {self.new}，修改 {self.changed}，未变 {self.unchanged}，错误 {self.error_count}"

    def add_error(self, row: int | None, field_key: str, message: str) -> None:
        self.errors.append(RowError(row, FIELD_LABELS.get(field_key, field_key), message))


# --- Reading the file ---------------------------------------------------------------------------------------------


def normalize_code(value) -> str:
    """A code as ASCII digits: full-width digits converted, spaces, a leading apostrophe and a trailing ``.0`` dropped.

    The national list writes every code with 12 digits (县 520102000000, 乡镇 520102001000); those are shortened to
    6 and 9 digits — a township's or village's own three digits are never 000. Anything that is not digits
    afterwards is returned as it is, for the validation to report.
    """
    text = fold(value).lstrip("'")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if len(text) == 12 and text.isdigit():
        if text.endswith("000000"):
            return text[:6]
        if text.endswith("000"):
            return text[:9]
    return text


def _find_header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    """(row index, field → column) of the first of the first rows that names both a code and a name column."""
    return find_header(rows, HEADER_ALIASES, (CODE, NAME))


def _read_table(content: bytes, filename: str) -> list[list]:
    return read_table(content, filename, has_header=lambda rows: _find_header(rows) is not None)


def read_rows(file, filename: str = "") -> list[ImportRow]:
    """The data rows of a division list, normalised, numbered as in Excel. Raises ``FileRejected``."""
    content, name = content_of(file)
    table = _read_table(content, filename or name)
    header = _find_header(table)
    if header is None:
        aliases = "、".join(f"“{HEADER_ALIASES[f][0]}”" for f in (CODE, NAME))
        raise FileRejected(f"未找到表头：前 {HEADER_SEARCH_ROWS} 行中应有{aliases}两列（“上级代码”列可选）")
    header_index, columns = header
    if len(table) - header_index - 1 > MAX_ROWS:
        raise FileRejected(f"行数过多（超过 {MAX_ROWS} 行），请拆分后导入")

    def cell(row: list, key: str):
        col = columns.get(key)
        return row[col] if col is not None and col < len(row) else None

    rows = []
    for index in range(header_index + 1, len(table)):
        raw = table[index]
        code, name = normalize_code(cell(raw, CODE)), cell_text(cell(raw, NAME))
        parent = normalize_code(cell(raw, PARENT))
        if not (code or name or parent):
            continue  # blank lines and trailing empty rows
        rows.append(ImportRow(row=index + 1, code=code, name=name, parent_code=parent))
    return rows


# --- Checking and writing -----------------------------------------------------------------------------------------


def _existing(codes: set[str]) -> dict[str, Region]:
    found: dict[str, Region] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), 500):  # SQLite's parameter limit
        for region in Region.objects.filter(code__in=ordered[start : start + 500]):
            found[region.code] = region
    return found


def _user_scope(user) -> str | None:
    """The code prefix the user may import under: "" for everything (superuser), None for nothing."""
    if user is None or user.is_superuser:
        return ""
    region = getattr(user, "region", None)
    return region.code if region is not None else None


def _check(rows: list[ImportRow], result: ImportResult, user) -> dict[str, Region]:
    """Check every row, fill ``result.errors`` and each row's status; return the existing regions by code."""
    codes = {r.code for r in rows if level_for_code(r.code)}
    existing = _existing(codes | {parent_code_of(c) for c in codes if parent_code_of(c)})
    scope = _user_scope(user)
    first_row: dict[str, int] = {}
    for r in rows:
        if r.code and r.code not in first_row:
            first_row[r.code] = r.row
    file_codes = set(first_row)

    for r in rows:
        errors_before = len(result.errors)
        _check_code_and_name(r, result)
        if level_for_code(r.code) is None:
            r.status = ERROR
            continue  # the checks below need a well-formed code

        if first_row[r.code] != r.row:
            result.add_error(r.row, CODE, f"区划代码 {r.code} 与第 {first_row[r.code]} 行重复")
        parent_wrong = _check_parent_code(r, result)
        _check_scope_and_parent_exists(r, result, scope, parent_wrong, existing, file_codes)
        _set_status(r, existing, has_errors=len(result.errors) > errors_before)
    return existing


def _check_code_and_name(r: ImportRow, result: ImportResult) -> None:
    """The code's digits and length, the name's presence and length."""
    if not r.code:
        result.add_error(r.row, CODE, "区划代码不能为空")
    elif not r.code.isdigit():
        result.add_error(r.row, CODE, f"区划代码“{r.code}”只能由数字组成")
    elif level_for_code(r.code) is None:
        result.add_error(
            r.row, CODE, f"区划代码“{r.code}”为 {len(r.code)} 位，应为 6 位（县）、9 位（乡镇）或 12 位（村）"
        )
    if not r.name:
        result.add_error(r.row, NAME, "名称不能为空")
    elif len(r.name) > NAME_MAX_LENGTH:
        result.add_error(r.row, NAME, f"名称超过 {NAME_MAX_LENGTH} 个字")


def _check_parent_code(r: ImportRow, result: ImportResult) -> bool:
    """Whether the parent code the row fills in (if any) is wrong for its code; each mistake is reported."""
    expected = parent_code_of(r.code)
    if not r.parent_code:
        return False
    if expected is None:
        result.add_error(r.row, PARENT, f"县级区划（6 位代码）不应有上级代码，却填了 {r.parent_code}")
    elif not r.code.startswith(r.parent_code):
        result.add_error(
            r.row, PARENT, f"区划代码 {r.code} 不以上级代码 {r.parent_code} 开头（下级代码应以上级代码开头）"
        )
    elif r.parent_code != expected:
        result.add_error(
            r.row,
            PARENT,
            f"上级代码应为 {len(expected)} 位的{LEVEL_LABELS[len(expected)]}代码 {expected}，而不是 {r.parent_code}",
        )
    else:
        return False
    return True


def _check_scope_and_parent_exists(
    r: ImportRow,
    result: ImportResult,
    scope: str | None,
    parent_wrong: bool,
    existing: dict[str, Region],
    file_codes: set[str],
) -> None:
    """The code lies in the user's region, and its parent exists in the system or in the file."""
    expected = parent_code_of(r.code)
    if scope is None or not r.code.startswith(scope):
        result.add_error(r.row, CODE, f"区划代码 {r.code} 不在您的管辖范围内")
    elif parent_wrong:
        pass  # a wrong parent code is reported already; whether its region exists is beside the point
    elif expected and expected not in existing and expected not in file_codes:
        result.add_error(
            r.row,
            PARENT,
            f"上级区划 {expected} 不存在：既不在系统中，也不在本文件中"
            f"（请先导入该{LEVEL_LABELS[len(expected)]}，或把它加入本文件）",
        )


def _set_status(r: ImportRow, existing: dict[str, Region], *, has_errors: bool) -> None:
    """Error, new, changed (its old name kept for the preview) or unchanged."""
    if has_errors:
        r.status = ERROR
    elif r.code in existing:
        old = existing[r.code]
        r.old_name = old.name
        r.status = UNCHANGED if old.name == r.name else CHANGED
    else:
        r.status = NEW


def _write(rows: list[ImportRow], existing: dict[str, Region]) -> None:
    """Create the new regions parents first and rename the changed ones, one model save each (change-logged)."""
    by_code = dict(existing)
    for r in sorted(rows, key=lambda r: (len(r.code), r.code)):
        if r.status == NEW:
            parent_code = parent_code_of(r.code)
            region = Region(code=r.code, name=r.name, parent=by_code[parent_code] if parent_code else None)
            region.save()
            by_code[r.code] = region
        elif r.status == CHANGED:
            region = by_code[r.code]
            region.name = r.name
            region.save()


def import_regions(file, *, user=None, filename: str = "", dry_run: bool = False) -> ImportResult:
    """Check a division list and, when every row is right and ``dry_run`` is false, write it all at once.

    ``file`` is a path or an open/uploaded file; ``filename`` names it when the object carries no usable name.
    ``user`` (None for the command line) must be allowed to import regions, and each code must lie in his region.
    Returns an ``ImportResult``; nothing is written when it has any error.
    """
    if user is not None and not user_can(user, Region, IMPORT):
        raise PermissionDenied("您的角色无权导入行政区划")
    result = ImportResult(dry_run=dry_run)
    try:
        result.rows = read_rows(file, filename)
    except FileRejected as exc:
        result.add_error(None, "文件", str(exc))
        return result
    if not result.rows:
        result.add_error(None, "文件", "表头下面没有数据行")
        return result

    if dry_run:
        _check(result.rows, result, user)
        return result
    try:
        # Checked again inside the transaction: the list may have changed since a preview.
        with transaction.atomic(using=router.db_for_write(Region)):
            existing = _check(result.rows, result, user)
            if result.errors:
                return result
            _write(result.rows, existing)
    except IntegrityError:
        result.add_error(None, "文件", "导入时有人同时修改了行政区划，导入已撤销，请重试")
        return result
    result.committed = True
    return result
