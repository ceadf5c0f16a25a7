from django.core.management.base import BaseCommand, CommandError

from shoudi.core.context import acting_as
from shoudi.monitoring.models import ScreeningBatch
from shoudi.monitoring.screening import RULES, preview_summary, run_batch, screen
from shoudi.regions.models import Region


class Command(BaseCommand):
    help = (
        "预警筛查：按规则筛查农户收入等数据，生成监测线索（不会重复生成，生成的线索为一个可撤回的批次），"
        "并按规则打印户数；--preview 只预览（按规则、按村计数），不生成线索。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="收入年度，如 2025")
        parser.add_argument("--region", default="", help="区划代码（县/乡镇/村），默认全部")
        parser.add_argument("--preview", action="store_true", help="只预览：打印各规则、各村将生成的线索数，不写入")
        parser.add_argument(
            "--rule",
            action="append",
            choices=list(RULES),
            help="只纳入这些规则（可重复），默认全部：" + "、".join(f"{k}（{v}）" for k, v in RULES.items()),
        )

    def handle(self, *args, year, region, preview, rule, **options):
        target = None
        if region:
            target = Region.objects.filter(code=region).first()
            if target is None:
                raise CommandError(f"区划代码 {region} 不存在", returncode=1)
        with acting_as(None, source="cli"):
            if preview:
                result = screen(year=year, region=target, rules=rule, write=False)
            else:
                batch = ScreeningBatch.objects.create(
                    year=year, region_code=region, rules=rule or list(RULES), status=ScreeningBatch.CREATING
                )
                result = run_batch(batch)
        for line in result.lines():
            self.stdout.write(line)
        if preview:
            for village in preview_summary(result, region_code=region)["villages"]:
                self.stdout.write(f"{village['township']}{village['village']}：{village['total']} 户")
        else:
            self.stdout.write(f"批次编号 {batch.pk}：尚未办理的线索可在“预警筛查”页面整批撤回")
