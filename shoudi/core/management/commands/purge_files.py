"""`shoudi purge_files [--days N] [--dry-run]`: delete job results, uploads and staging rows older than the retention
(SHOUDI_RETENTION_DAYS, default 180 days); the audit records stay. The worker runs it once a day."""

from django.core.management.base import BaseCommand

from shoudi.core.retention import purge, retention_days


class Command(BaseCommand):
    help = "删除超过保存期限的任务结果文件、上传文件和比对暂存数据（变更记录和访问记录保留）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help=f"保存天数（默认取配置，现为 {retention_days()} 天）")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args, days=None, dry_run=False, **options):
        done = purge(days, dry_run=dry_run)
        verb = "可删除" if dry_run else "已删除"
        for title, count in done:
            self.stdout.write(f"{title}：{verb} {count} 项")
