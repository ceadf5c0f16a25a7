"""`shoudi export_households --region CODE --out FILE.xlsx [--year YYYY] [--all-columns]`: households in the national
format, with the columns of the file the county last imported (``--all-columns``: every national column).

The file has full ID numbers; keep it as safe as the system itself. Exit status 0, or 2 on a usage error.
"""

from django.core.management.base import BaseCommand, CommandError

from shoudi.core.context import acting_as
from shoudi.regions.models import Region
from shoudi.registry.exporting import export_households


class Command(BaseCommand):
    help = "按国家系统导出格式（一人一行）导出某区划的农户信息，可直接再导入。"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="区划代码（县 6 位、乡镇 9 位、村 12 位）")
        parser.add_argument("--out", required=True, help="导出文件路径（.xlsx）")
        parser.add_argument("--year", type=int, help="收入年度（默认为最近有收入记录的年度）")
        parser.add_argument(
            "--all-columns",
            action="store_true",
            help="导出国家系统全部列（默认只导出该县最近一次导入文件中的列，按其顺序和列名）",
        )

    def handle(self, *args, region: str, out: str, year=None, all_columns=False, **options):
        region_obj = Region.objects.filter(code=region.strip()).first()
        if region_obj is None:
            raise CommandError(f"区划 {region} 不存在", returncode=2)
        if not out.lower().endswith(".xlsx"):
            raise CommandError("--out 应为 .xlsx 文件", returncode=2)
        with acting_as(None, source="cli"):
            result = export_households(out, region=region_obj, income_year=year, all_columns=all_columns)
        self.stdout.write(result.summary())
