from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shoudi.accounts.models import User
from shoudi.core.audit import log_access
from shoudi.core.context import acting_as
from shoudi.core.models import AccessLog
from shoudi.matching import choices as c
from shoudi.matching.reading import FileRejected
from shoudi.matching.report import write_report
from shoudi.matching.services import RunRefused, match_file
from shoudi.matching.sources import department_choices


def department_key(text: str) -> str:
    """A department by its code (medical_insurance) or its name (医保)."""
    for key, label in department_choices():
        if text in (key, label):
            return key
    known = "、".join(f"{label}（{key}）" for key, label in department_choices())
    raise CommandError(f"未知的部门“{text}”，可选：{known}", returncode=1)


class Command(BaseCommand):
    help = "部门数据比对：读取部门名单（Excel 或 CSV），与系统中的人员比对，写入比对结果，并按规则打印计数。"

    def add_arguments(self, parser):
        parser.add_argument(
            "department",
            help="部门：medical_insurance/医保、civil_affairs/民政、disabled_federation/"
            "残联、education/教育、housing/住建、human_resources/人社",
        )
        parser.add_argument("file", help="名单文件（.xlsx、.xls、.csv）")
        parser.add_argument("--period", required=True, help="比对期，如 2025-05")
        parser.add_argument("--region", default="", help="区划代码（县），默认全部")
        parser.add_argument("--report", default="", help="比对报告输出文件（.xlsx，含完整证件号码）")
        parser.add_argument("--user", default="", help="以该用户名义比对（默认：命令行）")
        parser.add_argument(
            "--preview",
            action="store_true",
            help="只预览：比对结果不下发到村，在比对页面确认下发或撤回（默认直接下发）",
        )

    def handle(self, *args, department, file, period, region, report, user, **options):
        key = department_key(department)
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"用户 {user} 不存在", returncode=1)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}", returncode=1)
        with acting_as(actor, source="cli"):
            try:
                run = match_file(
                    department=key,
                    path=path,
                    period=period,
                    user=actor,
                    region_code=region or (actor.region.code if actor and actor.region_id else ""),
                    log=lambda line: self.stderr.write(line) if options["verbosity"] > 1 else None,
                    release=not options["preview"],
                )
            except (FileRejected, RunRefused, ValueError) as exc:
                raise CommandError(str(exc), returncode=1) from exc
            s = run.summary
            self.stdout.write(
                f"{run}：名单 {s['rows_total']} 行，载入 {s['rows_loaded']} 行，"
                f"未载入 {s['rows_rejected']} 行，问题 {s['issues']} 处，用时 {run.seconds:.2f} 秒"
            )
            self.stdout.write(f"{'规则':<28}{'命中':>8}{'比对结果':>8}{'待核实':>8}{'连续':>8}{'不再下发':>8}")
            for code, row in run.counts.items():
                if code == "not_in_registry":
                    continue
                self.stdout.write(
                    f"{row['label']:<28}{row['hits']:>8}{row['findings']:>8}{row['pending']:>8}"
                    f"{row['recurring']:>8}{row['suppressed']:>8}"
                )
            absent = run.counts["not_in_registry"]
            self.stdout.write(f"{absent['label']:<28}{absent['hits']:>8}")
            for row in run.counts.values():
                if row.get("withheld"):
                    self.stdout.write(f"{row['label']}：{row['withheld']}")
            if run.status == c.PREVIEW:
                self.stdout.write(f"预览：比对结果尚未下发到村，请在比对页面确认下发或撤回（比对编号 {run.pk}）")
            if run.previous_run:
                self.stdout.write(
                    f"与上期（{run.previous_run.period}）相比：新增 {s['new']}，"
                    f"连续出现 {s['recurring']}，已消失 {s['resolved']}"
                )
            if report:
                count = write_report(run, report)
                log_access(
                    user=actor,
                    action=AccessLog.EXPORT,
                    region_code=run.region_code,
                    record_count=count,
                    detail=f"命令行生成{run}报告（含完整证件号码）：{report}",
                )
                self.stdout.write(f"比对报告：{report}（{count} 条比对结果）")
        if run.status not in (c.SUCCEEDED, c.PREVIEW):  # pragma: no cover - execute_run raises instead
            raise CommandError(run.error, returncode=1)
