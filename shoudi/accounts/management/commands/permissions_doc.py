from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from shoudi.accounts.permissions import render_markdown


class Command(BaseCommand):
    help = "根据代码中的权限矩阵生成 docs/permissions.md"

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs" / "permissions.md"))

    def handle(self, *args, out, **options):
        Path(out).write_text(render_markdown(), encoding="utf-8")
        self.stdout.write(f"已写入 {out}")
