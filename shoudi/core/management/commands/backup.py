"""`shoudi backup OUT`: the whole database to one file while the system runs (SQLite's online backup API, or
`pg_dump -Fc` on PostgreSQL). Restore it with `shoudi restore` into an empty database (docs/production.md)."""

from django.core.management.base import BaseCommand, CommandError

from shoudi.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份整个数据库到一个文件（SQLite 在线备份；PostgreSQL 用 pg_dump -Fc），系统运行时也可备份"

    def add_arguments(self, parser):
        parser.add_argument("out", help="备份文件的保存路径")

    def handle(self, *args, out: str, **options):
        try:
            counts = backup(out)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(f"已备份到 {out}：{len(counts)} 张表，{sum(counts.values())} 行")
