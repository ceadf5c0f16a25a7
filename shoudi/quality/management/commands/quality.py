from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shoudi.core.context import acting_as
from shoudi.quality.engine import run
from shoudi.quality.report import write_report
from shoudi.quality.rules import all_rules
from shoudi.regions.models import Region


class Command(BaseCommand):
    help = (
        "数据质量检查：按规则检查农户、家庭成员、收入和监测数据，新发现的问题下发到村整改，已改正的自动以“已整改”关闭，"
        "并按规则打印问题数；--report 另存按规则分组的 Excel 报告（户编号、证件号码完整）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="区划代码（县/乡镇/村），默认全部县")
        parser.add_argument(
            "--rule", action="append", default=None, help="只检查这些规则（可重复），如 4_11_010；默认全部"
        )
        parser.add_argument("--report", default="", metavar="OUT.xlsx", help="检查后把待整改问题写入该 Excel 文件")

    def handle(self, *args, region, rule, report, **options):
        target = None
        if region:
            target = Region.objects.filter(code=region).first()
            if target is None:
                raise CommandError(f"区划代码 {region} 不存在", returncode=1)
        known = {r.code for r in all_rules()}
        unknown = [code for code in rule or () if code not in known]
        if unknown:
            raise CommandError(f"没有规则 {'、'.join(unknown)}；现有规则：{'、'.join(sorted(known))}", returncode=1)
        if report and target is None:
            raise CommandError("生成报告时请用 --region 指定区划", returncode=1)
        with acting_as(None, source="cli"):
            result = run(region=target, rule_codes=rule)
            for line in result.lines():
                self.stdout.write(line)
            if report:
                path, rows = write_report(region=target, user=None, rule_codes=rule, target=Path(report))
                self.stdout.write(f"报告已写入 {path}（{rows} 个问题）")
