"""The columns of the file a county imported (``ImportLayout``): recorded by every committed household import, read
by the export, which writes the county's own columns again — its order, its header names — and no other.

A layout is ``[[header, target], …]`` in the file's order: the header exactly as written, the target a
``national.Column.target``, ``EXTRA`` ("") for a column Shoudi does not know (its cells are the member's ``extra``
under that header) or ``ROW_NUMBER`` for a 序号 column. Columns the import ignores (省, 市, 错误原因) and blank or
repeated headers are not part of it: the export could only write them blank.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from . import national
from .models import Household, HouseholdImport, ImportLayout

__all__ = ["EXTRA", "ROW_NUMBER", "file_layout", "record_layout", "recording_for"]

EXTRA = ""
ROW_NUMBER = "#row"
ROW_NUMBER_HEADERS = frozenset(national.normalize_header(h) for h in ("序号",))
CHUNK = 900  # household numbers a query (SQLite builds may take at most 999 parameters a statement)

_upload: contextvars.ContextVar[HouseholdImport | None] = contextvars.ContextVar("layout_upload", default=None)


def file_layout(headers: list[str], unknown_columns: list[str]) -> list[list[str]]:
    """The layout of a header row (``ParsedFile.headers`` and ``unknown_columns``), as the import matched it."""
    aliases = national.alias_map()
    unknown = set(unknown_columns)
    layout: list[list[str]] = []
    seen: set[str] = set()
    for header in headers:
        key = national.normalize_header(header)
        if not key:
            continue
        if key in ROW_NUMBER_HEADERS:
            target = ROW_NUMBER
        elif key in national.IGNORED_HEADERS:
            continue
        elif (column := aliases.get(key)) is not None:
            target = column.target
        elif header in unknown:
            target = EXTRA
        else:
            continue
        identity = target or "extra:" + header
        if identity in seen:  # a repeated column: the import read the first one only
            continue
        seen.add(identity)
        layout.append([header, target])
    return layout


@contextlib.contextmanager
def recording_for(upload: HouseholdImport) -> Iterator[None]:
    """The layouts recorded meanwhile (by the commit of the web import's job) name this upload."""
    token = _upload.set(upload)
    try:
        yield
    finally:
        _upload.reset(token)


def record_layout(parsed) -> list[ImportLayout]:
    """Remember the columns of a committed file (a ``ParsedFile``) for each county its households are in."""
    layout = file_layout(parsed.headers, parsed.unknown_columns)
    numbers = list(parsed.households)
    villages: set[str] = set()
    for start in range(0, len(numbers), CHUNK):
        villages.update(
            Household.objects.filter(household_no__in=numbers[start : start + CHUNK])
            .values_list("village__code", flat=True)
            .distinct()
        )
    upload = _upload.get()
    return ImportLayout.objects.bulk_create(
        ImportLayout(
            county_code=county,
            columns=layout,
            file_name=upload.file_name if upload is not None else parsed.file_name,
            household_import=upload,
        )
        for county in sorted({code[:6] for code in villages})
    )
