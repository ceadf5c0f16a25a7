"""The two entry points of the household import: ``preview_household_import`` (read and check, write nothing) and
``commit_household_import`` (the same inside one transaction, then write).

The preview leaves a parsed snapshot of the file for the commit (``snapshot``); a commit checks everything against
the database again inside its transaction, so it never trusts a stale preview. Who acts is set by the caller with
``shoudi.core.context.acting_as`` (the web request, the job runner, or the ``import_households`` command).
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from shoudi.core.scope import IMPORT, user_can
from shoudi.core.tabular import FileRejected
from shoudi.regions.models import Region

from ..layouts import record_layout
from ..models import Household, IncomeRecord, Member
from .compare import ImportRun
from .converters import vocabulary_key
from .parse import ParsedFile, gc_paused, parse_file
from .results import HouseholdImportResult, Progress, UnknownValue
from .snapshot import drop_snapshot, load_snapshot, save_snapshot

__all__ = ["commit_household_import", "preview_household_import"]

ANALYZE_AFTER = 10_000  # rows inserted by a commit from which PostgreSQL's statistics are refreshed


def _default_income_year() -> int:
    return timezone.localdate().year - 1


def _start(path, user, income_year: int | None, *, dry_run: bool) -> tuple[Path, HouseholdImportResult]:
    if user is not None and not user_can(user, Household, IMPORT):
        raise PermissionDenied("您的角色无权导入农户信息")
    if income_year is not None and not 2000 <= int(income_year) <= 2100:
        raise ValueError("收入年度应在 2000–2100 之间")
    path = Path(path)
    result = HouseholdImportResult(file_name=path.name, source_path=str(path), dry_run=dry_run)
    if user is None:
        result.can_create_regions = True
    else:
        county_code = user.region.code[:6] if getattr(user, "region_id", None) else ""
        result.can_create_regions = user_can(user, Region, "add") and (
            user.is_superuser or Region.objects.restrict(user, "add").filter(code=county_code).exists()
        )
    return path, result


def _county(user) -> str | None:
    """Whose synonyms read the file: the user's county; every county's for the command line (no user)."""
    if user is None or not getattr(user, "region_id", None):
        return None
    return user.region.code[:6]


def _fill(result: HouseholdImportResult, parsed: ParsedFile, income_year: int | None) -> int:
    result.file_name = parsed.file_name
    result.header_row = parsed.header_row
    result.rows = parsed.rows
    result.household_count = len(parsed.households)
    result.unknown_columns = list(parsed.unknown_columns)
    result.unknown_values = [
        UnknownValue(header, target, vocabulary_key(target), value, tuple(rows))
        for header, target, value, rows in parsed.unknown_values
    ]
    result.export_date = parsed.export_date
    result.errors = list(parsed.errors)
    result.warnings = list(parsed.warnings)
    result.report_rows = dict(parsed.report_rows)
    if income_year is not None:
        result.income_year, result.income_year_source = int(income_year), "参数"
    elif parsed.income_year is not None:
        result.income_year, result.income_year_source = parsed.income_year, "文件标题"
    else:
        result.income_year, result.income_year_source = _default_income_year(), "默认（上一年）"
    return result.income_year


def preview_household_import(
    path,
    *,
    user=None,
    income_year: int | None = None,
    create_missing_regions: bool = False,
    progress: Progress | None = None,
) -> HouseholdImportResult:
    """Dry run: read and check the file and say what an import would do, per village. Writes nothing to the database.

    ``user`` None is the command line (every village, regions may be created); otherwise the user needs the role's
    import permission on households (``PermissionDenied`` if not) and every village must be in his scope.
    ``income_year`` overrides the year found in the title rows (default: the previous calendar year).
    ``create_missing_regions`` previews the import as if missing townships and villages were created (only when the
    user may create regions; ``result.can_create_regions`` says so). ``progress(done, total, message)`` is called
    every few thousand rows. A file that cannot be read comes back with ``file_error`` set.
    """
    clock = _Clock()
    path, result = _start(path, user, income_year, dry_run=True)
    with gc_paused():
        try:
            parsed = parse_file(path, progress=progress, county=_county(user))
        except FileRejected as exc:
            result.file_error = str(exc)
            return result
        clock.lap(result, "读取文件")
        year = _fill(result, parsed, income_year)
        ImportRun(
            parsed,
            result,
            user=user,
            income_year=year,
            create_regions=create_missing_regions,
            write=False,
            all_or_nothing=False,
            progress=progress,
        ).run()
        clock.lap(result, "核对数据库")
        with contextlib.suppress(OSError):  # without a snapshot the commit reads the file again
            save_snapshot(parsed)
        clock.lap(result, "保存预览")
    result.seconds = clock.total
    return result


def commit_household_import(
    path,
    *,
    user=None,
    income_year: int | None = None,
    create_missing_regions: bool = False,
    progress: Progress | None = None,
    all_or_nothing: bool = False,
) -> HouseholdImportResult:
    """Import the file: every household without an error is written, in one transaction; the others are reported.

    The file is checked again inside the transaction (the preview's parse is reused only when the file's content
    hash is the same). Households with an error in any row are left untouched; so are members missing from the file
    (they are listed). With ``all_or_nothing`` any error writes nothing at all (``committed`` stays False) — the
    command line's default. ``create_missing_regions`` creates the townships and villages named in the file that do
    not exist, with the next free codes, when the user may (county admin, or the command line).
    Returns the result with ``committed=True`` when written and ``household_ids`` naming the households created or
    changed: the caller (the import job, the command) runs the registered post-import steps for them.
    """
    clock = _Clock()
    path, result = _start(path, user, income_year, dry_run=False)
    with gc_paused():
        parsed = load_snapshot(path, _county(user)) if path.exists() else None
        if parsed is None:
            try:
                parsed = parse_file(path, progress=progress, county=_county(user))
            except FileRejected as exc:
                result.file_error = str(exc)
                return result
            clock.lap(result, "读取文件")
        else:
            clock.lap(result, "读取预览")
        year = _fill(result, parsed, income_year)
        if all_or_nothing and result.errors:
            ImportRun(
                parsed,
                result,
                user=user,
                income_year=year,
                create_regions=create_missing_regions,
                write=False,
                all_or_nothing=True,
                progress=progress,
            ).run()
            clock.lap(result, "核对数据库")
            result.seconds = clock.total
            return result
        with transaction.atomic():
            run = ImportRun(
                parsed,
                result,
                user=user,
                income_year=year,
                create_regions=create_missing_regions,
                write=True,
                all_or_nothing=all_or_nothing,
                progress=progress,
            )
            run.run()
            clock.lap(result, "核对并写入")
            if run.aborted:
                transaction.set_rollback(True)
            else:
                record_layout(parsed)  # the county's export writes these columns again
                result.committed = True
        clock.lap(result, "提交事务")
        # Free the parse and the run (millions of objects) while the collector is still paused: alive, they would
        # be traversed by the next collection, which the post-import steps would trigger.
        digest, written, inserted = parsed.digest, run.written, run.inserted
        del parsed, run
    if result.committed:
        drop_snapshot(digest)
        if inserted >= ANALYZE_AFTER and connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
            # fresh statistics, or the next import plans its lookups for the tables as they were before
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute(
                    "ANALYZE "
                    + ", ".join(
                        connections[DEFAULT_DB_ALIAS].ops.quote_name(m._meta.db_table)
                        for m in (Household, Member, IncomeRecord)
                    )
                )
            clock.lap(result, "更新统计信息")
        result.household_ids = written
    result.seconds = clock.total
    return result


class _Clock:
    """Seconds per phase, kept on the result (``timings``) for the job log and the benchmark."""

    def __init__(self):
        self.started = self.last = time.monotonic()

    def lap(self, result: HouseholdImportResult, label: str) -> None:
        now = time.monotonic()
        result.timings[label] = result.timings.get(label, 0.0) + now - self.last
        self.last = now

    @property
    def total(self) -> float:
        return time.monotonic() - self.started
