"""`shoudi restore IN`: a backup of `shoudi backup` into the configured database, which must be empty (not even
migrated): it refuses a database that holds any table. Then run `shoudi migrate` to bring it to this version."""

from django.core.management.base import BaseCommand, CommandError

from shoudi.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "从备份文件恢复到空数据库（已有任何表的数据库会被拒绝），之后运行 shoudi migrate"

    def add_arguments(self, parser):
        parser.add_argument("source", help="shoudi backup 写出的备份文件")

    def handle(self, *args, source: str, **options):
        try:
            counts = restore(source)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(f"已恢复：{len(counts)} 张表，{sum(counts.values())} 行。请接着运行 shoudi migrate")
