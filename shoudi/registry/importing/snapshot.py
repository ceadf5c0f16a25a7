"""The preview's parse of a file, kept for the commit in the data directory and named by the file's content hash.

Plain values only, written with marshal (docs/adr/0102-household-import-gc-and-snapshots.md); a commit uses the
snapshot only when the file is byte-for-byte the same, and checks it against the database again.
"""

from __future__ import annotations

import contextlib
import datetime
import marshal
import os
import time
from pathlib import Path

from django.conf import settings

from shoudi.core.vocabulary import synonyms_stamp
from shoudi.regions.importing import RowError

from .parse import SNAPSHOT_VERSION, ParsedFile, ParsedHousehold, file_digest, gc_paused

__all__ = ["drop_snapshot", "load_snapshot", "save_snapshot", "snapshot_path"]

SNAPSHOT_MAX_AGE = 24 * 3600  # older snapshots are removed when the next one is saved


def _snapshot_dir() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "household-import"


def snapshot_path(digest: str) -> Path:
    return _snapshot_dir() / f"{digest}.snapshot"


def _plain_snapshot(parsed: ParsedFile) -> tuple:
    return (
        SNAPSHOT_VERSION,
        parsed.digest,
        parsed.file_name,
        parsed.header_row,
        parsed.headers,
        parsed.household_cols,
        parsed.member_cols,
        parsed.unknown_columns,
        parsed.title_text,
        parsed.export_date.isoformat() if parsed.export_date else None,
        parsed.income_year,
        parsed.rows,
        [(h.no, h.first_row, h.raw_hash, h.values, h.rows, h.members, h.error) for h in parsed.households.values()],
        [(e.row, e.field, e.message) for e in parsed.errors],
        [(e.row, e.field, e.message) for e in parsed.warnings],
        parsed.report_rows,
        parsed.unknown_values,
        parsed.vocabulary_stamp,
    )


def _from_snapshot(plain: tuple) -> ParsedFile:
    (
        version,
        digest,
        file_name,
        header_row,
        headers,
        household_cols,
        member_cols,
        unknown,
        title,
        export_date,
        income_year,
        rows,
        households,
        errors,
        warnings,
        report,
        unknown_values,
        vocabulary_stamp,
    ) = plain
    parsed = {}
    for no, first_row, raw_hash, values, household_rows, members, error in households:
        household = parsed[no] = ParsedHousehold(no, first_row, raw_hash, values)
        household.rows, household.members, household.error = household_rows, members, error
    return ParsedFile(
        version=version,
        digest=digest,
        file_name=file_name,
        header_row=header_row,
        headers=headers,
        household_cols=[tuple(c) for c in household_cols],
        member_cols=[tuple(c) for c in member_cols],
        unknown_columns=unknown,
        title_text=title,
        export_date=datetime.date.fromisoformat(export_date) if export_date else None,
        income_year=income_year,
        rows=rows,
        households=parsed,
        errors=[RowError(*e) for e in errors],
        warnings=[RowError(*e) for e in warnings],
        report_rows=report,
        unknown_values=[tuple(u) for u in unknown_values],
        vocabulary_stamp=vocabulary_stamp,
    )


def save_snapshot(parsed: ParsedFile) -> None:
    """Keep the parse for the commit: plain values only, written with marshal (several times faster than pickle)."""
    folder = _snapshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.snapshot"):
        with contextlib.suppress(OSError):
            if now - old.stat().st_mtime > SNAPSHOT_MAX_AGE:
                old.unlink()
    target = snapshot_path(parsed.digest)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    with gc_paused():
        data = marshal.dumps(_plain_snapshot(parsed), 4)
    with temporary.open("wb") as handle:
        handle.write(data)
    temporary.chmod(0o600)
    temporary.replace(target)


def load_snapshot(path: Path, county: str | None = None) -> ParsedFile | None:
    """The preview's parse of this very file (same content hash), or None."""
    try:
        digest = file_digest(path)
        snapshot = snapshot_path(digest)
        if not snapshot.exists():
            return None
        with gc_paused():
            # our own file in the data directory, named by the content hash of the file; marshal holds no code
            parsed = _from_snapshot(marshal.loads(snapshot.read_bytes()))  # noqa: S302
    except Exception:
        return None
    if parsed.version != SNAPSHOT_VERSION or parsed.digest != digest:
        return None
    if parsed.vocabulary_stamp != synonyms_stamp(county):  # a synonym added since: the file is read again
        return None
    parsed.file_name = path.name
    return parsed


def drop_snapshot(digest: str) -> None:
    with contextlib.suppress(OSError):
        snapshot_path(digest).unlink()
