"""``shoudi rebuild_dashboard``: compute every summary row of the dashboards again (also run nightly)."""

import time

from django.core.management.base import BaseCommand

from shoudi.dashboards.refresh import rebuild


class Command(BaseCommand):
    help = "重新计算数据看板的全部汇总数据"

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        rows = rebuild()
        self.stdout.write(f"数据看板已重算：{rows} 行，用时 {time.perf_counter() - started:.1f} 秒")
