"""Reading the Excel and CSV lists people upload (regions, cadres): the table and its header row.

The file's content decides its type (a .xls that is really .xlsx is common); CSV may be UTF-8 or GBK; the header
row is found among the first rows by column aliases, so title rows above it and columns in any order are fine.
Cells are read with ``core.cells``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path

from .cells import cell_text, header_key  # noqa: F401  (cell_text: the name importers used before core.cells)

__all__ = [
    "ALLOWED_EXTENSIONS",
    "HEADER_SEARCH_ROWS",
    "FileRejected",
    "content_of",
    "find_header",
    "read_table",
]

ALLOWED_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv")
HEADER_SEARCH_ROWS = 10


class FileRejected(Exception):
    """The file as a whole cannot be read (wrong type, unreadable, no header); the message says why in Chinese."""


def content_of(file) -> tuple[bytes, str]:
    """The bytes and the name of a path or an uploaded/opened file."""
    if isinstance(file, str | os.PathLike):
        path = Path(file)
        try:
            return path.read_bytes(), path.name
        except OSError as exc:
            raise FileRejected(f"无法打开文件 {path.name}") from exc
    if hasattr(file, "seek"):
        file.seek(0)
    content = file.read()
    return content, os.path.basename(getattr(file, "name", "") or "")


def find_header(
    rows: list[list],
    aliases: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    search_rows: int = HEADER_SEARCH_ROWS,
) -> tuple[int, dict[str, int]] | None:
    """(row index, field → column) of the first row naming every ``required`` field; aliases are header_key()s."""
    folded = {name: {header_key(a) for a in names} for name, names in aliases.items()}
    for index, row in enumerate(rows[:search_rows]):
        columns: dict[str, int] = {}
        for col, value in enumerate(row):
            key = header_key(value)
            for name, keys in folded.items():
                if name not in columns and key in keys:
                    columns[name] = col
        if all(name in columns for name in required):
            return index, columns
    return None


def _read_excel(content: bytes, has_header: Callable[[list[list]], bool]) -> list[list]:
    from python_calamine import load_workbook

    try:
        book = load_workbook(io.BytesIO(content))
    except Exception as exc:
        if type(exc).__name__ == "PasswordError":
            raise FileRejected("Excel 文件有密码保护，请去掉密码后再导入") from exc
        raise FileRejected("无法读取 Excel 文件，文件可能已损坏或不是 Excel 格式") from exc
    sheets = []
    try:
        for index in range(len(book.sheet_names)):
            sheets.append(book.get_sheet_by_index(index).to_python(skip_empty_area=False))
    except Exception as exc:
        raise FileRejected("无法读取 Excel 工作表，文件可能已损坏") from exc
    # The first sheet with a recognisable header is the list; a cover sheet before it is skipped.
    for rows in sheets:
        if has_header(rows):
            return rows
    return sheets[0] if sheets else []


def _read_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly any byte string
        raise FileRejected("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码")
    if "\x00" in text:
        raise FileRejected("文件内容不是文本格式的 CSV")
    sample = text.splitlines()[: HEADER_SEARCH_ROWS + 5]
    delimiter = max((",", "\t", ";"), key=lambda d: sum(line.count(d) for line in sample))
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def read_table(content: bytes, filename: str, *, has_header: Callable[[list[list]], bool] = bool) -> list[list]:
    """All rows of the file's list (for a workbook: the first sheet where ``has_header(rows)`` is true)."""
    ext = os.path.splitext(filename)[1].lower()
    if filename and ext not in ALLOWED_EXTENSIONS:
        raise FileRejected("只支持 Excel（.xlsx、.xls）或 CSV 文件")
    if not content:
        raise FileRejected("文件是空的")
    if content[:4] == b"PK\x03\x04" or content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _read_excel(content, has_header)
    if ext in (".xlsx", ".xlsm", ".xls"):
        raise FileRejected("文件扩展名是 Excel，但内容不是 Excel 格式")
    return _read_csv(content)
