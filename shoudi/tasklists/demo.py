"""The demo county's task lists: 青山镇's 一月一清单 of this month to three of its villages, with the demo village's
part of each task in another state (已下发, 办理中, 待审核, 已完成, 退回, 逾期); a weekly recurring task of 青山镇 with
its last weeks made; the county's task to the townships and to the 医保 department."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from shoudi.accounts.models import User
from shoudi.core.context import acting_as
from shoudi.regions.models import Region

from . import choices as c
from . import services
from .models import TaskList

COUNTY_CODE = "520199"
TOWNSHIP_CODE = COUNTY_CODE + "001"
DOCUMENT = "青山镇巩固办〔2026〕月度清单"
# title, result kind, result required, due day of the month (None: two days ago, so overdue), focus, steps the
# demo village takes (reviewed by the township)
MONTH_TASKS = [
    ("开展防返贫监测集中排查", c.TEXT, "报送排查情况说明", 5, True, ("progress", "submit", "approve")),
    ("报送本月走访监测户户数", c.FIGURE, "报送已走访监测户户数", 12, False, ("submit",)),
    ("上传民主评议会议记录", c.FILE, "上传会议记录扫描件", 19, True, ("submit", "return")),
    ("核实部门比对疑点信息", c.TEXT, "逐户说明核实结果", 26, False, ("progress",)),
    ("更新村级防返贫监测台账", c.TEXT, "报送台账更新情况", None, False, ()),
    ("整理帮扶措施佐证材料", c.TEXT, "报送整理情况", 31, False, ()),
]
WEEKLY_TITLE = "每周监测户走访情况报送"


def has_data() -> bool:
    return TaskList.objects.filter(document_no=DOCUMENT).exists()


def _act(assignment, step: str, officer, reviewer) -> None:
    if step == "progress":
        services.report_progress(assignment=assignment, user=officer, text="已安排村干部逐户开展", figure=Decimal(12))
    elif step == "submit":
        kind = assignment.task.result_kind
        services.submit(
            assignment=assignment,
            user=officer,
            text="已完成" if kind != c.FIGURE else "本月已走访",
            figure=Decimal(18) if kind == c.FIGURE else None,
            file=ContentFile(b"%PDF-1.4 demo", name="会议记录.pdf") if kind == c.FILE else None,
        )
    elif step == "approve":
        services.review(assignment=assignment, user=reviewer, approve=True, text="同意销号")
    elif step == "return":
        services.review(assignment=assignment, user=reviewer, approve=False, text="会议记录缺少参会人员签字，请补充")


def build(ctx) -> None:
    if has_data():
        ctx.say("任务清单：演示县已有月度清单，跳过。")
        return
    admin = User.objects.filter(username="admin").first()
    reviewer = User.objects.filter(username="shenhe").first()
    officer = User.objects.filter(username="xinxiyuan").first()
    department = User.objects.filter(username="yibao").first()
    villages = list(Region.objects.filter(code__startswith=TOWNSHIP_CODE, level="village").order_by("code")[:3])
    townships = list(Region.objects.filter(code__startswith=COUNTY_CODE, level="township").order_by("code"))
    if None in (admin, reviewer, officer) or not villages or officer.region not in villages:
        ctx.say("任务清单：没有演示县的用户或村，跳过。")
        return
    today = timezone.localdate()
    first = today.replace(day=1)
    last_day = calendar.monthrange(first.year, first.month)[1]
    with acting_as(reviewer, source="cli"):
        month_list = services.create_task_list(
            user=reviewer,
            title=f"{first.year}年{first.month}月巩固衔接工作清单",
            month=first,
            document_no=DOCUMENT,
            description="一月一清单、一周一重点、台账化管理、销号式推进",
        )
        for title, kind, required, day, focus, steps in MONTH_TASKS:
            due = first.replace(day=min(day, last_day)) if day else max(first, today - datetime.timedelta(days=2))
            task = services.issue_task(
                user=reviewer,
                task_list=month_list,
                title=title,
                regions=villages,
                result_kind=kind,
                result_description=required,
                focus=focus,
                due_date=due,
                issued_on=first,
            )
            own = task.assignments.get(region=officer.region)
            for step in steps:
                _act(own, step, officer, reviewer)
        # a weekly task begun three weeks ago: its past weeks made as the nightly step would have made them
        monday = today - datetime.timedelta(days=today.weekday())
        start = monday - datetime.timedelta(weeks=3)
        weekly = services.issue_task(
            user=reviewer,
            title=WEEKLY_TITLE,
            regions=villages,
            result_kind=c.FIGURE,
            result_description="报送本周走访监测户户数",
            recurrence=c.WEEKLY,
            due_weekday=5,
            starts_on=start,
            issued_on=start,
        )
        for week in range(1, 4):
            services.generate_period(task=weekly, day=start + datetime.timedelta(weeks=week))
        for n, assignment in enumerate(weekly.assignments.filter(region=officer.region).order_by("period_start")):
            if n < 2:
                services.submit(assignment=assignment, user=officer, text="本周已走访", figure=Decimal(6 + n))
            if n == 0:
                services.review(assignment=assignment, user=reviewer, approve=True)
    with acting_as(admin, source="cli"):
        units = [("县医保局", department)] if department is not None else []
        services.issue_task(
            user=admin,
            title="报送本月监测对象新增和风险消除户数",
            regions=townships,
            units=units,
            result_kind=c.FIGURE,
            result_description="新增户数（风险消除户数在说明中填写）",
            due_workdays=5,
            issued_on=first,
        )
    ctx.say(
        f"任务清单：青山镇{first.month}月清单 {len(MONTH_TASKS)} 项任务（已下发、办理中、待审核、已完成、退回、逾期），"
        f"每周重复任务 1 项（已生成 4 周），县级任务 1 项。"
    )
