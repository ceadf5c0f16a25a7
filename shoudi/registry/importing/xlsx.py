"""Reading the first sheet of the national export as (Excel row number, values), however large the file.

A sheet whose XML is larger than ``SPLIT_BYTES`` is cut into stored workbooks of about ``CHUNK_BYTES`` each, at row
boundaries; python-calamine parses two of them at a time on worker threads (it releases the GIL) while the caller
converts the rows of the previous one, so memory stays flat (docs/adr/0101-household-import-large-sheets.md).
"""

from __future__ import annotations

import os
import queue
import re
import tempfile
import threading
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from shoudi.core.tabular import FileRejected

__all__ = ["ALLOWED_EXTENSIONS", "CHUNK_BYTES", "SPLIT_BYTES", "open_rows"]

ALLOWED_EXTENSIONS = (".xlsx", ".xlsm", ".xls")
SPLIT_BYTES = 48 * 1024 * 1024  # a sheet whose XML is larger is read in pieces …
CHUNK_BYTES = 32 * 1024 * 1024  # … of about this size
PIECE_WORKERS = 2  # pieces parsed by calamine at the same time

_SHEETDATA_RE = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
_DIMENSION_ROWS_RE = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+\d+:[A-Z]+(\d+)\"")
_RID_RE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\s\w+:id=\"([^\"]+)\"")
_REL_RE = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_ATTR_RE = re.compile(rb"(\w+)=\"([^\"]*)\"")

_CHUNK_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/styles.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
_REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CHUNK_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="' + _REL_NS + b'/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def _chunk_workbook_xml(date1904: bool) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="'
        + _REL_NS
        + b'">'
        + (b'<workbookPr date1904="1"/>' if date1904 else b"")
        + b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _chunk_workbook_rels(styles: bool, shared: bool) -> bytes:
    rels = [b'<Relationship Id="rId1" Type="' + _REL_NS + b'/worksheet" Target="worksheets/sheet1.xml"/>']
    if styles:
        rels.append(b'<Relationship Id="rId2" Type="' + _REL_NS + b'/styles" Target="styles.xml"/>')
    if shared:
        rels.append(b'<Relationship Id="rId3" Type="' + _REL_NS + b'/sharedStrings" Target="sharedStrings.xml"/>')
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + b"".join(rels)
        + b"</Relationships>"
    )


def _relationships(data: bytes) -> list[dict[bytes, bytes]]:
    return [dict(_ATTR_RE.findall(m.group(1))) for m in _REL_RE.finditer(data)]


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = [p for p in (os.path.dirname(base) + "/" + target).split("/") if p and p != "."]
    resolved: list[str] = []
    for part in parts:
        if part == "..":
            if resolved:
                resolved.pop()
        else:
            resolved.append(part)
    return "/".join(resolved)


@dataclass
class _XlsxParts:
    """Where the first sheet of an .xlsx lives, and the parts a piece of it needs to be a workbook of its own."""

    sheet: str
    sheet_size: int
    styles: bytes | None
    shared: bytes | None
    date1904: bool


def _xlsx_parts(book: zipfile.ZipFile) -> _XlsxParts | None:
    names = set(book.namelist())
    try:
        root_rels = _relationships(book.read("_rels/.rels"))
        workbook = next(
            _resolve("", r[b"Target"].decode()) for r in root_rels if r.get(b"Type", b"").endswith(b"/officeDocument")
        )
        workbook_xml = book.read(workbook)
        rels_path = _resolve(workbook, "_rels/" + os.path.basename(workbook) + ".rels")
        rels = _relationships(book.read(rels_path))
        first = _RID_RE.search(workbook_xml)
        by_id = {r.get(b"Id"): r for r in rels}
        sheet = _resolve(workbook, by_id[first.group(1)][b"Target"].decode())
    except (KeyError, StopIteration, AttributeError):
        return None
    if sheet not in names:
        return None

    def part(kind: bytes) -> bytes | None:
        for r in rels:
            if r.get(b"Type", b"").endswith(kind):
                path = _resolve(workbook, r[b"Target"].decode())
                return book.read(path) if path in names else None
        return None

    date1904 = bool(re.search(rb"date1904=\"(1|true)\"", workbook_xml))
    return _XlsxParts(sheet, book.getinfo(sheet).file_size, part(b"/styles"), part(b"/sharedStrings"), date1904)


class _PieceWriter:
    """One piece of a large sheet, written straight into a small stored (uncompressed) .xlsx that calamine opens."""

    def __init__(self, path: Path, parts: _XlsxParts, prefix: bytes):
        self.path = path
        self.book = zipfile.ZipFile(path, "w", zipfile.ZIP_STORED)
        self.book.writestr("[Content_Types].xml", _CHUNK_CONTENT_TYPES)
        self.book.writestr("_rels/.rels", _CHUNK_ROOT_RELS)
        self.book.writestr("xl/workbook.xml", _chunk_workbook_xml(parts.date1904))
        self.book.writestr(
            "xl/_rels/workbook.xml.rels", _chunk_workbook_rels(parts.styles is not None, parts.shared is not None)
        )
        if parts.styles is not None:
            self.book.writestr("xl/styles.xml", parts.styles)
        if parts.shared is not None:
            self.book.writestr("xl/sharedStrings.xml", parts.shared)
        self.sheet = self.book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.sheet.write(prefix)
        self.size = 0

    def write(self, data) -> None:
        self.sheet.write(data)
        self.size += len(data)

    def close(self, suffix: bytes) -> Path:
        self.sheet.write(suffix)
        self.sheet.close()
        self.book.close()
        return self.path


def _sheet_pieces(book: zipfile.ZipFile, parts: _XlsxParts, folder: Path) -> Iterator[Path]:
    """Cut the sheet into stored workbooks of about ``CHUNK_BYTES`` of XML each, at row boundaries.

    The inflated XML is written once, straight into the pieces (no joining or slicing of large byte strings: on this
    kind of machine every extra copy of a 30 MB block costs ~40 ms). Each piece repeats the sheet's start (columns,
    views) without its ``<dimension>``, and keeps the original ``r`` attributes, so row numbers stay as in Excel.
    """
    with book.open(parts.sheet) as stream:
        head = b""
        while True:
            block = stream.read(1 << 20)
            head += block
            match = _SHEETDATA_RE.search(head)
            if match or not block:
                break
        number = 0

        def piece(prefix: bytes) -> _PieceWriter:
            nonlocal number
            number += 1
            return _PieceWriter(folder / f"piece-{number}.xlsx", parts, prefix)

        if not match or match.group(2):  # no rows at all: the sheet as it is
            only = piece(head)
            yield only.close(b"")
            return
        ns = match.group(1) or b""
        prefix = _DIMENSION_RE.sub(b"", head[: match.end()])
        row_close, data_close = b"</" + ns + b"row>", b"</" + ns + b"sheetData>"
        suffix = data_close + b"</" + ns + b"worksheet>"
        current = piece(prefix)
        carry = b""  # the start of a row not finished in the previous block
        block = head[match.end() :]
        while True:
            seam = carry + block[: len(data_close)]
            end = seam.find(data_close)
            if end >= 0:
                current.write(seam[:end])
                yield current.close(suffix)
                return
            end = block.find(data_close)
            if end >= 0:
                current.write(carry)
                current.write(memoryview(block)[:end])
                yield current.close(suffix)
                return
            last = block.rfind(row_close)
            if last < 0:
                carry += block
            else:
                last += len(row_close)
                current.write(carry)
                current.write(memoryview(block)[:last])
                carry = block[last:]
                if current.size >= CHUNK_BYTES:
                    yield current.close(suffix)
                    current = piece(prefix)
            block = stream.read(4 << 20)
            if not block:
                raise FileRejected("Excel 文件不完整（工作表数据没有结尾），可能已损坏")


def _piece_sheets(book: zipfile.ZipFile, parts: _XlsxParts) -> Iterator:
    """The loaded calamine sheet of each piece; the piece files live only until calamine has read them."""
    from python_calamine import CalamineWorkbook

    def load(path: Path):
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)  # without the GIL
        path.unlink()
        return sheet

    scratch = Path(settings.DATA_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    # two pieces parsed at a time, handed out in order: calamine runs while the GIL is busy elsewhere
    with (
        tempfile.TemporaryDirectory(prefix="household-import-", dir=scratch) as folder,
        ThreadPoolExecutor(PIECE_WORKERS, thread_name_prefix="household-import-calamine") as pool,
    ):
        loading: deque = deque()
        for path in _sheet_pieces(book, parts, Path(folder)):
            loading.append(pool.submit(load, path))
            if len(loading) >= PIECE_WORKERS:
                yield loading.popleft().result()
        while loading:
            yield loading.popleft().result()


_DONE = object()


def _in_background(produce: Callable[[], Iterator], size: int = 1) -> Iterator:
    """Run ``produce`` on a reader thread, ``size`` items ahead of the consumer (calamine releases the GIL)."""
    items: queue.Queue = queue.Queue(size)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in produce():
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, who raises it
            put(exc)

    thread = threading.Thread(target=work, name="household-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def _sheet_rows(sheet) -> Iterator[tuple[int, list]]:
    """(Excel row number, values) from the sheet's first non-empty row; column A is always index 0.

    ``to_python(skip_empty_area=True)`` rather than ``iter_rows()``: the latter pads from row 1, which for the pieces
    of a large sheet would mean every row above the piece again. Rows are released as they are handed out.
    """
    start = sheet.start
    if start is None:
        return
    number, first_col = start
    pad = [""] * first_col
    rows = sheet.to_python(skip_empty_area=True)
    del sheet
    for index in range(len(rows)):
        values = rows[index]
        rows[index] = None
        number += 1
        yield number, (pad + values if first_col else values)


def _read_error(exc: Exception) -> FileRejected:
    if type(exc).__name__ == "PasswordError":
        return FileRejected("Excel 文件有密码保护，请去掉密码后再导入")
    return FileRejected("无法读取 Excel 文件，文件可能已损坏或不是 Excel 格式")


def open_rows(path: Path) -> tuple[Iterator[tuple[int, list]], int | None]:
    """(Excel row number, cell values) of the first sheet, and the number of rows if the file says so."""
    from python_calamine import CalamineWorkbook

    if path.suffix.lower() not in ALLOWED_EXTENSIONS:
        raise FileRejected("只支持 Excel 文件（.xlsx、.xls）")
    try:
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise FileRejected(f"无法打开文件 {path.name}") from exc
    if not magic:
        raise FileRejected("文件是空的")
    if magic[:4] == b"PK\x03\x04":
        try:
            book = zipfile.ZipFile(path)
            parts = _xlsx_parts(book)
        except (zipfile.BadZipFile, OSError) as exc:
            raise FileRejected("无法读取 Excel 文件，文件可能已损坏") from exc
        if parts is not None and parts.sheet_size > SPLIT_BYTES:
            with book.open(parts.sheet) as stream:
                found = _DIMENSION_ROWS_RE.search(stream.read(1 << 16))
            total = int(found.group(1)) if found else None

            def rows() -> Iterator[tuple[int, list]]:
                try:
                    for sheet in _in_background(lambda: _piece_sheets(book, parts)):
                        yield from _sheet_rows(sheet)
                except FileRejected:
                    raise
                except Exception as exc:
                    raise _read_error(exc) from exc
                finally:
                    book.close()

            return rows(), total
        book.close()
    elif magic != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRejected("文件内容不是 Excel 格式")
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except Exception as exc:
        raise _read_error(exc) from exc
    total = sheet.end[0] + 1 if sheet.end is not None else 0
    return _sheet_rows(sheet), total
