"""``shoudi attendance --month YYYY-MM [--region CODE]``: one line per member — days in the village, leave days and
the flag under the monthly minimum — for an operator (no scope: every member of the region)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shoudi.regions.models import Region
from shoudi.teams.attendance import month_bounds, month_rows, parse_month
from shoudi.teams.models import TeamMember


class Command(BaseCommand):
    help = "月度考勤：每名驻村工作队员一行，在村天数、请假天数、是否不足规定天数。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="月份，如 2026-05")
        parser.add_argument("--region", default="", help="区划代码（县/乡镇/村），默认全部")

    def handle(self, *args, month, region, **options):
        try:
            year, number = parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if region and not Region.objects.filter(code=region).exists():
            raise CommandError(f"区划代码 {region} 不存在", returncode=2)
        start, end = month_bounds(year, number)
        members = TeamMember.objects.filter(team__village__code__startswith=region, start_date__lte=end).exclude(
            end_date__lt=start
        )
        members = members.select_related("team__village__parent").order_by("team__village__code", "start_date", "id")
        rows = month_rows(members, year, number)
        for row in rows:
            m = row.member
            village = f"{m.team.village.parent.name if m.team.village.parent_id else ''}{m.team.village.name}"
            days = f"在村 {row.village_days} 天\t请假 {row.leave_days} 天"
            line = "\t".join(part for part in (village, m.name, m.get_post_display(), days, row.flag) if part)
            self.stdout.write(line)
        under = sum(1 for row in rows if row.under)
        self.stdout.write(f"合计 {len(rows)} 人，不足规定天数 {under} 人（{year}年{number}月）")
