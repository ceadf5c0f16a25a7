from django.core.management.base import BaseCommand, CommandError

from shoudi.accounts.models import User
from shoudi.core.context import acting_as
from shoudi.matching.baselist import write_base_list
from shoudi.matching.services import parse_period
from shoudi.regions.models import Region


class Command(BaseCommand):
    help = "导出脱贫人口（含监测对象）基础名单（Excel，含完整证件号码，记入敏感信息访问记录），供各部门比对。"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="比对期，如 2025-05")
        parser.add_argument("--out", required=True, help="输出文件（.xlsx）")
        parser.add_argument("--region", default="", help="区划代码（县/乡镇/村），默认全部")
        parser.add_argument("--user", default="", help="以该用户名义导出（默认：命令行）")

    def handle(self, *args, period, out, region, user, **options):
        try:
            period = f"{parse_period(period):%Y-%m}"
        except ValueError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        target = None
        if region:
            target = Region.objects.filter(code=region).first()
            if target is None:
                raise CommandError(f"区划代码 {region} 不存在", returncode=1)
        actor = User.objects.filter(username=user).first() if user else None
        if user and actor is None:
            raise CommandError(f"用户 {user} 不存在", returncode=1)
        with acting_as(actor, source="cli"):
            count = write_base_list(
                out, period=period, region_code=region, region_name=target.name if target else "", user=actor
            )
        self.stdout.write(f"已导出 {count} 人：{out}（已记入敏感信息访问记录）")
