"""`shoudi import_regions FILE [--dry-run]`: import a division list (区划代码、名称、上级代码) from Excel or CSV.

Exit status: 0 when the file was imported (or, with --dry-run, would be), 1 when it was rejected (any row error, an
unreadable file, no header), 2 on a usage error.
"""

from django.core.management.base import BaseCommand, CommandError

from shoudi.core.context import acting_as
from shoudi.regions.importing import import_regions


class Command(BaseCommand):
    help = "从 Excel（.xlsx/.xls）或 CSV 文件导入行政区划（区划代码、名称、上级代码）；有任何错误则整个文件不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="区划文件：表头含“区划代码”“名称”，可选“上级代码”")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")

    def handle(self, *args, file: str, dry_run: bool = False, **options):
        with acting_as(None, source="cli"):
            result = import_regions(file, dry_run=dry_run)
        prefix = "试运行（未写入）：" if dry_run else ""
        self.stdout.write(prefix + result.summary())
        for error in result.errors:
            self.stdout.write(str(error))
        if not result.ok:
            raise CommandError("文件未通过检查，未导入任何数据", returncode=1)
