"""`shoudi import_households FILE [--dry-run] [--report OUT.xlsx] [--year YYYY] [--create-regions] [--skip-errors]`.

Imports the national person-level export (DOMAIN.md §8). Prints one summary line, one line per value a code table
does not know (kept as written; add it as a synonym on the 码表 page), and the path of the error report when one is
written.

Decisions:
- Without ``--dry-run`` the file is imported only when it has no error at all (all or nothing): one wrong row must
  not leave a county half-updated from a script. ``--skip-errors`` imports every household without an error instead
  (a household with an error in any row is never half-imported) and reports the rest.
- ``--report`` says where the error report goes (original rows + 原行号 + 错误原因); without it, when there are
  errors, it is written next to the file as ``<name>-错误报告.xlsx``. No errors, no report.
- After the commit the steps other apps register (national cases, national measures …) run as in the import job,
  one line each. A failing step prints its message and exits with 1; the households stay imported.
- Exit status: 0 when the file was imported (or, with ``--dry-run``, would be without errors); 1 when the file was
  rejected — unreadable, or errors and nothing written (with ``--skip-errors``: nothing importable) — or a step
  after the commit failed; 2 on a usage error (wrong arguments, missing file).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shoudi.core.context import acting_as
from shoudi.core.jobs import JobError
from shoudi.registry.importing import commit_household_import, preview_household_import
from shoudi.registry.jobs import run_post_import_steps


class Command(BaseCommand):
    help = (
        "导入国家防返贫监测系统导出的农户信息（一人一行）。默认有任何错误则整个文件不导入；"
        "--skip-errors 则导入无错误的农户。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="国家系统导出的 Excel 文件（.xlsx/.xls）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument("--report", help="错误报告的保存路径（.xlsx）")
        parser.add_argument("--year", type=int, help="收入年度（默认取文件标题中的年度，否则为上一年）")
        parser.add_argument("--create-regions", action="store_true", help="文件中不存在的乡镇、村自动新建")
        parser.add_argument("--skip-errors", action="store_true", help="跳过有错误的农户，导入其余农户")

    def handle(
        self,
        *args,
        file: str,
        dry_run=False,
        report=None,
        year=None,
        create_regions=False,
        skip_errors=False,
        **options,
    ):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}", returncode=2)
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError("--year 应在 2000–2100 之间", returncode=2)
        with acting_as(None, source="cli"):
            if dry_run:
                result = preview_household_import(path, income_year=year, create_missing_regions=create_regions)
            else:
                result = commit_household_import(
                    path, income_year=year, create_missing_regions=create_regions, all_or_nothing=not skip_errors
                )
        self.stdout.write(result.summary())
        for u in result.unknown_values[:50]:
            self.stdout.write(f"  码表中没有：{u.header}“{u.value}” {u.count} 处（{u.rows_text(5)}），{u.how}")
        if len(result.unknown_values) > 50:
            self.stdout.write(f"  …… 另有 {len(result.unknown_values) - 50} 种，见导入页面")
        if result.report_rows or (report and result.file_error):
            target = Path(report) if report else path.with_name(f"{path.stem}-错误报告.xlsx")
            result.write_error_report(target)
            self.stdout.write(f"错误报告：{target}")
        if result.file_error:
            raise CommandError("文件未导入", returncode=1)
        if dry_run:
            if result.has_errors:
                raise CommandError("文件有错误（试运行，未写入）", returncode=1)
            return
        if not result.committed:
            raise CommandError("文件有错误，未导入任何数据", returncode=1)
        if skip_errors and result.has_errors and result.totals.households["error"] == result.household_count:
            raise CommandError("没有可导入的农户", returncode=1)
        try:
            with acting_as(None, source="cli"):
                run_post_import_steps(sorted(result.household_ids), user=None, log=self.stdout.write)
        except JobError as exc:
            raise CommandError(f"{exc}（农户信息已导入）", returncode=1) from exc
