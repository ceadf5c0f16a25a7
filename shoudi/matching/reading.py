"""Reading a department's list: find the header and map the columns, preview the first rows, parse every row.

The header is found as in the other imports (``core.tabular.find_header``), a department's saved mapping profile
tried first; cells are read with the one cell library (``core.cells``, ``core.idnumbers``). A row whose ID number is
missing, invalid or repeated is reported and not loaded; a cell that cannot be read is reported and left blank, the
row still loaded — so that a bad amount never makes a person look absent from the list. Files are read as a stream:
an Excel sheet row by row through python-calamine, a CSV (UTF-8 or GBK) line by line.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from pathlib import Path

from shoudi.core.cells import cell_text, fold, header_key, parse_date, parse_money
from shoudi.core.idnumbers import parse_id_number
from shoudi.core.tabular import ALLOWED_EXTENSIONS, HEADER_SEARCH_ROWS, FileRejected, find_header

from .sources import Column, Source

__all__ = [
    "FIELDS",
    "FileRejected",
    "Issue",
    "Layout",
    "ParsedList",
    "RowPlan",
    "cell_reader",
    "csv_format",
    "detect_layout",
    "is_excel",
    "parse_rows",
    "preview_rows",
    "read_rows",
]

# The staging values of a row, in this order (ListRow's columns after ``list``).
FIELDS = ("row", "id_number", "name", "category", "grade", "status", "amount", "event_date", "code", "detail")
LENGTHS = {"name": 50, "category": 20, "grade": 20, "status": 20, "code": 30, "detail": 100}
MAX_ISSUES = 1000  # kept with the list; all are counted
PREVIEW_ROWS = 10


@dataclass(frozen=True)
class Issue:
    """A row or cell that could not be read as it is: Excel/CSV row number, column, what is wrong."""

    row: int
    column: str
    message: str
    rejected: bool = False  # the row was not loaded

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message, "rejected": self.rejected}


@dataclass
class Layout:
    """Where the header is and which column feeds each field (field key → header text as written)."""

    header_index: int  # 0-based index of the header among the file's rows
    headers: list[str]
    mapping: dict[str, str]
    sheet: int = 0  # the workbook's sheet holding the list

    @property
    def header_row(self) -> int:
        return self.header_index + 1

    def index_of(self, key: str) -> int | None:
        header = self.mapping.get(key)
        if not header:
            return None
        folded = header_key(header)
        return next((i for i, h in enumerate(self.headers) if header_key(h) == folded), None)


@dataclass
class ParsedList:
    """What parsing found besides the rows: totals and the issues (the first MAX_ISSUES of them)."""

    rows_total: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    issue_count: int = 0
    issues: list[Issue] = field(default_factory=list)
    converted_ids: int = 0  # 15-digit numbers read as 18-digit ones
    fast: bool = False  # loaded by fastload (COPY of the file, checked in SQL), not row by row in Python

    unrecognised: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (column, value) → [row, count]

    def add(self, issue: Issue) -> None:
        self.issue_count += 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)

    def note(self, row: int, column: str, value: str) -> None:
        """A choice cell no variant matches, loaded as written: reported once per distinct value (``finish``)."""
        seen = self.unrecognised.get((column, value))
        if seen is None:
            self.unrecognised[(column, value)] = [row, 1]
        else:
            seen[1] += 1

    def finish(self) -> ParsedList:
        """Add one issue per value no variant matched (at its first row), the issues in row order."""
        for (column, value), (row, count) in self.unrecognised.items():
            self.add(Issue(row, column, unrecognised_message(value, count)))
        self.unrecognised = {}
        self.issues.sort(key=lambda issue: issue.row)
        return self


def unrecognised_message(value: str, count: int) -> str:
    return f"“{value}”不在可识别的值中，已按原样载入（共 {count} 行，请核实）"


class Unrecognised(str):
    """A choice cell no variant matches: loaded as written (never refusing its row), reported once per value."""

    __slots__ = ()


# --- opening a file as rows -------------------------------------------------------------------------------------


def _check_name(path: Path) -> None:
    if path.suffix.lower() not in ALLOWED_EXTENSIONS:
        raise FileRejected("只支持 Excel（.xlsx、.xls）或 CSV 文件")


def is_excel(magic: bytes) -> bool:
    """Whether a file's first bytes are those of a workbook (.xlsx zip or .xls compound document)."""
    return magic[:4] == b"PK\x03\x04" or magic[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def open_rows(path: Path, has_header=None, sheet: int | None = None) -> tuple[Iterator[list], int]:
    """Every row of the list as a list of cell values, from row 1, and the sheet's index: for Excel the sheet
    ``sheet``, else the first whose first rows ``has_header`` accepts (a cover sheet before the list is skipped)."""
    path = Path(path)
    _check_name(path)
    try:
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise FileRejected(f"无法打开文件 {path.name}") from exc
    if not magic:
        raise FileRejected("文件是空的")
    if is_excel(magic):
        return _excel_rows(path, has_header, sheet)
    if path.suffix.lower() != ".csv":
        raise FileRejected("文件扩展名是 Excel，但内容不是 Excel 格式")
    return _csv_rows(path), 0


def _excel_rows(path: Path, has_header, index: int | None) -> tuple[Iterator[list], int]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [book.get_sheet_by_index(i) for i in range(len(book.sheet_names))]
    except Exception as exc:
        if type(exc).__name__ == "PasswordError":
            raise FileRejected("Excel 文件有密码保护，请去掉密码后再上传") from exc
        raise FileRejected("无法读取 Excel 文件，文件可能已损坏或不是 Excel 格式") from exc
    if not sheets:
        raise FileRejected("Excel 文件中没有工作表")
    if index is None:
        index = 0
        if has_header is not None and len(sheets) > 1:
            index = next((i for i, sheet in enumerate(sheets) if has_header(_head_of(sheet))), 0)
    return sheets[min(index, len(sheets) - 1)].iter_rows(), index


def _head_of(sheet) -> list[list]:
    return take(sheet.iter_rows(), HEADER_SEARCH_ROWS)


def take(rows: Iterator[list], count: int) -> list[list]:
    """The next ``count`` rows (fewer at the end); a read error becomes ``FileRejected``."""
    try:
        return list(islice(rows, count))
    except Exception as exc:
        raise _read_error(exc) from exc


def _read_error(exc: Exception) -> Exception:
    if isinstance(exc, FileRejected):
        return exc
    if isinstance(exc, UnicodeDecodeError):
        return FileRejected("CSV 文件的编码前后不一致，请另存为 UTF-8 编码后再上传")
    if isinstance(exc, csv.Error):
        return FileRejected(f"CSV 文件格式有误：{exc}")
    return FileRejected("无法读取 Excel 工作表，文件可能已损坏")  # calamine's errors in a damaged sheet


def csv_format(path: Path) -> tuple[str, str]:
    """The encoding (UTF-8, else GB18030) and the delimiter of a CSV file, from its first 64 KiB."""
    with path.open("rb") as handle:
        sample = handle.read(1 << 16)
    encoding = "gb18030"
    for candidate in ("utf-8-sig",):
        try:
            # an incomplete multi-byte character at the end of the sample is not an error
            codecs.getincrementaldecoder(candidate)().decode(sample, final=False)
            encoding = candidate
        except UnicodeDecodeError:
            pass
    text = sample.decode(encoding, errors="ignore")
    if "\x00" in text:
        raise FileRejected("文件内容不是文本格式的 CSV")
    lines = text.splitlines()[: HEADER_SEARCH_ROWS + 5]
    delimiter = max((",", "\t", ";"), key=lambda d: sum(line.count(d) for line in lines))
    return encoding, delimiter


def _csv_rows(path: Path) -> Iterator[list]:
    encoding, delimiter = csv_format(path)
    # No generator around the reader (one more Python step per row of millions): it keeps the file open while it
    # is referenced, and its errors become FileRejected where rows are read (``take``, ``parse_rows``).
    return csv.reader(path.open("r", encoding=encoding, newline=""), delimiter=delimiter)


# --- the header and the mapping ---------------------------------------------------------------------------------


def _aliases(source: Source, profile: dict[str, str] | None) -> dict[str, tuple[str, ...]]:
    aliases = {col.key: col.headers for col in source.columns}
    for key, header in (profile or {}).items():
        if key in aliases and header:
            aliases[key] = (header, *aliases[key])
    return aliases


def detect_layout(path: Path, source: Source, profile: dict[str, str] | None = None) -> Layout:
    """Find the header among the first rows and map each field to a column; ``FileRejected`` when none qualifies.

    The department's saved profile is tried on its own first (the same headers as last month map exactly as then),
    then the source's aliases together with it.
    """
    required = source.required
    aliases = _aliases(source, None)
    passes = []
    if profile:
        saved = {key: (header,) for key, header in profile.items() if key in aliases and header}
        passes.append({**aliases, **saved})
    passes.append(_aliases(source, profile))

    def has_header(rows):
        return any(find_header(rows, a, required) is not None for a in passes)

    rows, sheet = open_rows(path, has_header)
    head = take(rows, HEADER_SEARCH_ROWS)
    if not any(any(cell_text(v) for v in row) for row in head):
        raise FileRejected("文件是空的，没有表头和数据")
    for candidate in passes:
        found = find_header(head, candidate, required)
        if found is not None:
            index, columns = found
            headers = [cell_text(v) for v in head[index]]
            return Layout(index, headers, {key: headers[col] for key, col in columns.items()}, sheet)
    wanted = "、".join(f"“{source.column(k).label}”" for k in required)
    seen = max(head, key=lambda r: sum(1 for v in r if cell_text(v)))
    shown = "、".join(cell_text(v) for v in seen if cell_text(v))[:200]
    raise FileRejected(
        f"未找到表头：前 {HEADER_SEARCH_ROWS} 行中没有同时包含{wanted}的行。文件中的列为：{shown or '（空）'}"
    )


def validate_mapping(source: Source, headers: list[str], mapping: dict[str, str]) -> list[str]:
    """The problems of a mapping chosen by hand: missing required fields, headers the file does not have."""
    folded = {header_key(h) for h in headers if h}
    problems = []
    for col in source.columns:
        header = mapping.get(col.key, "")
        if col.required and not header:
            problems.append(f"请为“{col.label}”选择对应的列")
        elif header and header_key(header) not in folded:
            problems.append(f"文件中没有“{header}”列")
    return problems


# --- cell values ------------------------------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"-?\d{1,12}(?:\.\d{1,6})?")


def read_money(value) -> str | None:
    """An amount as text the database reads (numbers typed as text and 1,234.5 元 too); ValueError if it is none."""
    if value is None or value == "":
        return None
    if type(value) is str:
        text = value.strip()
        if _PLAIN_NUMBER.fullmatch(text):
            return text
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if value != value or abs(value) >= 1e12:
            raise ValueError(f"“{cell_text(value)}”不是有效的金额")
        return repr(value) if isinstance(value, float) else str(value)
    amount = parse_money(value)
    if amount is None:
        return None
    if abs(amount) >= Decimal("1e12"):
        raise ValueError(f"“{cell_text(value)}”不是有效的金额")
    return str(amount)


def _choice_reader(col: Column):
    """Variant → value, then the ``contains`` parts; the outcome per distinct cell is remembered (a list repeats a
    handful of values hundreds of thousands of times)."""
    table = {fold(k).lower(): v for k, v in col.values.items()}
    limit = LENGTHS.get(col.key, 20)
    contains = tuple((fold(part).lower(), v) for part, v in col.contains)
    seen: dict = {}

    def compute(value) -> str:
        key = fold(value).lower()
        if not key:
            return ""
        found = table.get(key)
        if found is not None:
            return found
        for part, v in contains:
            if part in key:
                return v
        return Unrecognised(_printable(cell_text(value))[:limit]) if col.report_unknown else ""

    def read(value) -> str:
        try:
            outcome = seen[value]
        except KeyError:
            outcome = compute(value)
            if len(seen) < 10_000:
                seen[value] = outcome
        except TypeError:  # an unhashable cell
            outcome = compute(value)
        return outcome

    return read


def _printable(text: str) -> str:
    """Control characters (tabs, line breaks inside a cell) become spaces; the staging load relies on it."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()


def _text_reader(limit: int):
    def read(value) -> str:
        text = value.strip() if type(value) is str else cell_text(value)
        return _printable(text)[:limit]

    return read


def cell_reader(col: Column):
    """The reader of one column's cells: its staging value, or ValueError saying why not."""
    if col.kind == "money":
        return read_money
    if col.kind == "date":
        return parse_date
    if col.kind == "choice":
        return _choice_reader(col)
    return _text_reader(LENGTHS.get(col.key, 100))


def _read_id(value, today: datetime.date) -> str:
    """parse_id_number, and a 残疾人证号 (the ID followed by two digits) read as its ID number."""
    try:
        return parse_id_number(value, today=today)
    except ValueError:
        text = fold(value).upper()
        if len(text) == 20 and text[18:].isdigit():
            return parse_id_number(text, "残疾人证", today=today)
        raise


def _name(value) -> str:
    """The name as written, without surrounding spaces or control characters (the engine compares names without
    spaces, in SQL)."""
    text = value.strip() if type(value) is str else cell_text(value)
    return _printable(text)[:50]


# --- parsing ----------------------------------------------------------------------------------------------------


class RowPlan:
    """Column indices and readers of one layout, built once per file."""

    def __init__(self, source: Source, layout: Layout):
        self.source = source
        self.id_index = layout.index_of("id_number")
        self.name_index = layout.index_of("name")
        self.id_label = source.column("id_number").label
        self.others: list[tuple[int, int, object, str]] = []  # (cell index, slot after id, reader, label)
        for col in source.columns:
            if col.key in ("id_number", "name"):
                continue
            index = layout.index_of(col.key)
            if index is not None:
                self.others.append((index, FIELDS.index(col.key) - 2, cell_reader(col), col.label))
        self.width = (
            max(
                [i for i in (self.id_index, self.name_index) if i is not None] + [i for i, *_ in self.others], default=0
            )
            + 1
        )
        self.derive = source.derive


def _blank(row: list) -> bool:
    return not any(v is not None and v != "" and (type(v) is not str or v.strip()) for v in row)


def parse_rows(
    path: Path, source: Source, layout: Layout, result: ParsedList, *, limit: int | None = None
) -> Iterator[tuple]:
    """Staging tuples (in ``FIELDS`` order) of every data row below the header; issues go to ``result``."""
    rows, _ = open_rows(path, sheet=layout.sheet)
    take(rows, layout.header_row)
    yield from read_rows(
        RowPlan(source, layout),
        enumerate(rows, start=layout.header_row + 1),
        result,
        {},
        datetime.date.today(),
        limit=limit,
    )


def read_rows(
    plan: RowPlan,
    numbered: Iterator[tuple[int, list]],
    result: ParsedList,
    seen: dict[str, int],
    today: datetime.date,
    *,
    limit: int | None = None,
) -> Iterator[tuple]:
    """Staging tuples of ``numbered`` rows ((row number, cells) in file order); issues and totals go to ``result``.

    ``seen`` maps each loaded ID number to its row: a later row repeating one is rejected. The one reading of a
    row, whichever way a list is loaded (``parse_rows``: every row of the file; ``fastload``: the rows SQL could
    not take as they are, with ``seen`` that keeps nothing — duplicates are found in SQL there).
    This loop runs once per row of lists of millions of rows: it keeps to local names and plain tuples.
    """
    id_index, name_index, width, id_label = plan.id_index, plan.name_index, plan.width, plan.id_label
    others, derive = plan.others, plan.derive
    add, note = result.add, result.note
    total = loaded = rejected = converted = 0
    try:
        for number, cells in numbered:
            if len(cells) < width:
                cells = [*cells, *[""] * (width - len(cells))]
            raw_id = cells[id_index]
            if type(raw_id) is str:
                raw_id = raw_id.strip()
            if raw_id is None or raw_id == "":
                if _blank(cells):
                    continue
                total += 1
                rejected += 1
                add(Issue(number, id_label, "证件号码为空，本行未载入", True))
                continue
            total += 1
            try:
                id_number = parse_id_number(raw_id, today=today)
            except ValueError:
                try:
                    id_number = _read_id(raw_id, today)  # a 残疾人证号, or the reason it is no ID number
                except ValueError as exc:
                    rejected += 1
                    add(Issue(number, id_label, f"{exc}，本行未载入", True))
                    continue
            if type(raw_id) is str and len(raw_id) == 15:
                converted += 1
            first = seen.get(id_number)
            if first is not None:
                rejected += 1
                add(Issue(number, id_label, f"证件号码与第 {first} 行重复，本行未载入", True))
                continue
            seen[id_number] = number
            loaded += 1
            yield (number, id_number, *_values(cells, number, name_index, others, derive, add, note))
            if limit is not None and loaded >= limit:
                return
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _read_error(exc) from exc
    finally:
        result.rows_total += total
        result.rows_loaded += loaded
        result.rows_rejected += rejected
        result.converted_ids += converted


def _values(cells: list, number: int, name_index: int | None, others: list, derive, add, note) -> list:
    """The staging values after the ID number (``FIELDS[2:]``) of one loaded row; a cell that cannot be read is
    left blank with an issue, a choice no variant matches kept as written (``note``). Called once per loaded row:
    its arguments are the loop's local names."""
    # name, category, grade, status, amount, event_date, code, detail
    values = ["", "", "", "", None, None, "", ""]
    if name_index is not None:
        values[0] = _name(cells[name_index])
    for index, slot, read, label in others:
        try:
            value = read(cells[index])
        except ValueError as exc:
            add(Issue(number, label, f"{exc}，该项按空白处理"))
            continue
        if type(value) is Unrecognised:
            note(number, label, value)
            value = str(value)
        values[slot] = value
    if derive is not None:
        named = dict(zip(FIELDS[2:], values, strict=True))
        derive(named)
        values = [named[k] for k in FIELDS[2:]]
    return values


def preview_rows(path: Path, source: Source, layout: Layout, count: int = PREVIEW_ROWS) -> tuple[list, ParsedList]:
    """The first ``count`` rows as they would be loaded, with the issues met on the way."""
    result = ParsedList()
    rows = list(parse_rows(path, source, layout, result, limit=count))
    return rows, result.finish()


def read_bytes_as_path(content: bytes, name: str, folder: Path) -> Path:
    """Write uploaded bytes to ``folder`` under a safe version of ``name`` (for the preview and the job)."""
    from django.utils.text import get_valid_filename

    folder.mkdir(parents=True, exist_ok=True)
    safe = get_valid_filename(Path(name).name) or "list.xlsx"
    path = folder / safe
    path.write_bytes(content)
    return path
