"""``shoudi workcards --region CODE --out FILE.pdf``: all work cards of a village, township or county in one PDF."""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shoudi.cards.jobs import PDF_WORKERS
from shoudi.cards.workcards import card_households, work_cards, write_cards_pdf
from shoudi.core.audit import log_access
from shoudi.core.context import acting_as
from shoudi.core.models import AccessLog
from shoudi.core.scope import user_can
from shoudi.regions.models import Region
from shoudi.registry.models import Household


class Command(BaseCommand):
    help = "批量生成“三类人员”工作卡 PDF（每户一页，红卡/绿卡），与页面“后台生成 PDF”相同。"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="区划代码（村 12 位、乡镇 9 位或县 6 位）")
        parser.add_argument("--out", required=True, help="输出 PDF 文件，如 工作卡.pdf")
        parser.add_argument("--workers", type=int, default=PDF_WORKERS, help=f"生成进程数，默认 {PDF_WORKERS}")
        parser.add_argument("--user", default="", help="按该用户的管辖范围和权限生成（默认不限，完整电话）")

    def handle(self, *args, region, out, workers, user, **options):
        place = Region.objects.filter(code=region).first()
        if place is None:
            raise CommandError(f"区划代码 {region} 不存在", returncode=1)
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"用户 {user} 不存在", returncode=1)
            if not user_can(account, Household, "export"):
                raise CommandError(f"用户 {user} 的角色无权批量打印工作卡", returncode=1)
        target = Path(out)
        if target.parent and not target.parent.exists():
            raise CommandError(f"目录 {target.parent} 不存在", returncode=1)
        started = time.perf_counter()
        with acting_as(account, source="cli"):
            cards = work_cards(card_households(account, region), user=account)
            if not cards:
                raise CommandError(f"{place.full_name}没有需要制卡的农户（仅已识别的监测对象制作工作卡）", returncode=1)
            pages = write_cards_pdf(cards, target, workers=max(1, workers))
            log_access(
                user=account,
                action=AccessLog.EXPORT,
                region_code=region,
                record_count=len(cards),
                detail=f"命令行生成工作卡 PDF：{place.full_name}",
            )
        green = sum(1 for c in cards if c.is_eliminated)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{place.full_name}：{len(cards)} 张工作卡（红卡 {len(cards) - green}，绿卡 {green}），"
            f"{pages} 页，{seconds:.1f} 秒 → {target}"
        )
