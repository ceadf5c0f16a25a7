from django.core.management.base import BaseCommand, CommandError

from shoudi.core.context import acting_as
from shoudi.monitoring.screening import screen
from shoudi.regions.models import Region


class Command(BaseCommand):
    help = "预警筛查：按规则筛查农户收入等数据，生成监测线索（不会重复生成），并按规则打印户数。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="收入年度，如 2025")
        parser.add_argument("--region", default="", help="区划代码（县/乡镇/村），默认全部")

    def handle(self, *args, year, region, **options):
        target = None
        if region:
            target = Region.objects.filter(code=region).first()
            if target is None:
                raise CommandError(f"区划代码 {region} 不存在", returncode=1)
        with acting_as(None, source="cli"):
            result = screen(year=year, region=target)
        for line in result.lines():
            self.stdout.write(line)
