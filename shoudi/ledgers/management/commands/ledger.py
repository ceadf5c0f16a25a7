"""``shoudi ledger``: list the ledgers, or write one to an Excel file as an operator (no scope, nothing masked)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shoudi.core.context import acting_as
from shoudi.ledgers.engine import (
    LedgerError,
    available_ledgers,
    count_rows,
    log_export,
    make_context,
    resolve,
    write_xlsx,
)


class Command(BaseCommand):
    help = "台账：--list 列出全部台账；NAME --region 区划代码 --out 文件.xlsx 导出一个台账（运维身份，不脱敏）。"

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="台账名称（见 --list），如 monitoring、saved-3")
        parser.add_argument("--list", dest="show_list", action="store_true", help="列出全部台账")
        parser.add_argument("--region", default="", help="区划代码（县/乡镇/村），默认全部")
        parser.add_argument("--out", default="", help="输出文件（.xlsx）")
        parser.add_argument("--year", default="", help="年度参数（收入核算台账、走访台账），默认见各台账")
        parser.add_argument("--date", default="", help="参考日期（控辍保学台账），如 2025-09-01，默认今天")

    def handle(self, *args, name, show_list, region, out, year, date, **options):
        if show_list:
            for ledger in available_ledgers(None):
                where = f"（{ledger.saved.region.name}，基于{ledger.definition.title}）" if ledger.saved else ""
                self.stdout.write(f"{ledger.name}\t{ledger.title}{where}\t{ledger.definition.description}")
            return
        if not name or not out:
            raise CommandError("请给出台账名称和 --out 输出文件，或用 --list 列出台账", returncode=2)
        try:
            ledger = resolve(name)
            ctx = make_context(ledger, None, region, {"year": year, "reference": date})
        except LedgerError as exc:
            raise CommandError(str(exc), returncode=1) from None
        with acting_as(None, source="cli"):
            total = count_rows(ledger, ctx)
            count = write_xlsx(ledger, ctx, out)
            log_export(ledger, ctx, count, how="命令行")
        self.stdout.write(f"{ledger.title}（{ctx.region_name}）：{count} {ledger.definition.unit} → {out}")
        if total != count:  # rows changed while writing
            self.stderr.write(f"注意：计数 {total} 与写入 {count} 不一致（数据在导出期间有变化）")
