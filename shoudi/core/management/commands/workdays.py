"""``shoudi workdays add 2026-09-30 7`` prints the deadline; ``shoudi workdays between A B`` the working days."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from shoudi.core.workdays import add_workdays, workdays_between


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”应写作 年-月-日，例如 2026-09-30") from None


class Command(BaseCommand):
    help = "按中国工作日（含调休）计算期限：add 起始日 工作日数；between 起始日 截止日"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        add = sub.add_parser("add", help="起始日之后第 N 个工作日")
        add.add_argument("start")
        add.add_argument("n", type=int)
        between = sub.add_parser("between", help="两个日期之间的工作日数（不含起始日，含截止日）")
        between.add_argument("a")
        between.add_argument("b")
        for parser_ in (add, between):
            parser_.add_argument("--region", default="", help="县的区划代码（该县录入的节假日优先）")

    def handle(self, *args, verb, region="", **options):
        if verb == "add":
            try:
                result = add_workdays(_date(options["start"]), options["n"], region_code=region)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(result.date.isoformat())
        else:
            result = workdays_between(_date(options["a"]), _date(options["b"]), region_code=region)
            self.stdout.write(str(result.days))
        if result.fallback:
            years = "、".join(str(y) for y in result.fallback_years)
            self.stderr.write(f"注意：{years} 年的节假日尚未录入，按周末计算，结果可能不准确")
