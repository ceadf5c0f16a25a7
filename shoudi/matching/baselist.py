"""The base list (基础名单) the county sends departments each month (S004 (二)五: by the 5th): every 脱贫人口 and
监测对象 with the fields departments need — name, full ID number, place, household number, category and flags.

脱贫人口 are the members of a 脱贫户; 监测对象 the members of a household ever identified (its case has an
identification date, eliminated or not). Only members with status 正常 are listed. The headers are those the
department sources recognise (证件号码, 姓名), so a department can fill in its columns and send the file back.
Every export is written to the access log: the file carries full ID numbers.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, Subquery

from shoudi.core.audit import log_access
from shoudi.core.excel import write_rows_xlsx
from shoudi.core.models import AccessLog
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Member

__all__ = ["HEADERS", "base_members", "write_base_list"]

HEADERS = [
    "县",
    "乡",
    "村",
    "村民小组",
    "户编号",
    "户类型",
    "人员类别",
    "监测对象类别",
    "风险是否已消除",
    "姓名",
    "证件号码",
    "性别",
    "出生日期",
    "与户主关系",
    "在校生状况",
    "健康状况",
    "残疾类别",
    "残疾等级",
    "享受低保政策情况",
    "享受特困供养政策情况",
    "是否参加城乡居民基本医疗保险",
    "是否参加城镇职工基本医疗保险",
    "是否已务工",
    "务工所在地",
]


def _identified():
    return MonitoringCase.objects.filter(household=OuterRef("household_id"), identified_on__isnull=False)


def base_members(region_code: str = ""):
    """The 脱贫人口 and 监测对象 of a region (all when blank), with their place and monitoring category."""
    latest = _identified().order_by("-identified_on", "-id")
    qs = (
        Member.objects.filter(status="正常")
        .filter(Q(household__household_type="脱贫户") | Q(Exists(_identified())))
        .annotate(
            category=Subquery(latest.values("category")[:1]),
            eliminated=Subquery(latest.values("eliminated_on")[:1]),
            identified=Exists(_identified()),
        )
    )
    if region_code:
        qs = qs.filter(household__village__code__startswith=region_code)
    return qs.order_by("household__village__code", "household__household_no", "id")


def _yes_no(value) -> str:
    return "" if value is None else ("是" if value else "否")


def _rows(qs):
    fields = (
        "household__village__parent__parent__name",
        "household__village__parent__name",
        "household__village__name",
        "household__group_name",
        "household__household_no",
        "household__household_type",
        "identified",
        "category",
        "eliminated",
        "name",
        "id_number",
        "gender",
        "birth_date",
        "relation",
        "student_status",
        "health",
        "disability_category",
        "disability_grade",
        "dibao",
        "tekun",
        "resident_medical",
        "employee_medical",
        "employed",
        "work_place",
    )
    for (
        county,
        township,
        village,
        group,
        no,
        kind,
        identified,
        category,
        eliminated,
        name,
        id_number,
        gender,
        birth,
        relation,
        student,
        health,
        dis_cat,
        dis_grade,
        dibao,
        tekun,
        resident,
        employee,
        employed,
        work_place,
    ) in qs.values_list(*fields).iterator(chunk_size=5000):
        lifted = kind == "脱贫户"
        person = "脱贫人口（监测对象）" if lifted and identified else ("脱贫人口" if lifted else "监测对象")
        yield [
            county,
            township,
            village,
            group,
            no,
            kind,
            person,
            category or "",
            ("是" if eliminated else "否") if identified else "",
            name,
            id_number,
            gender,
            birth,
            relation,
            student,
            health,
            dis_cat,
            dis_grade,
            dibao,
            tekun,
            _yes_no(resident),
            _yes_no(employee),
            _yes_no(employed),
            work_place,
        ]


def write_base_list(
    target, *, period: str, region_code: str = "", region_name: str = "", user=None, request=None
) -> int:
    """Write the base list to ``target`` (path or binary file) and record the export; returns the row count."""
    qs = base_members(region_code)
    count = 0

    def counted():
        nonlocal count
        for row in _rows(qs):
            count += 1
            yield row

    write_rows_xlsx(
        target,
        title=f"{region_name}{period} 脱贫人口（含监测对象）基础名单",
        subtitle="含完整证件号码，仅供部门数据比对使用，请妥善保管",
        headers=HEADERS,
        rows=counted(),
        sheet_name="基础名单",
    )
    log_access(
        user=user,
        action=AccessLog.EXPORT,
        request=request,
        record_count=count,
        region_code=region_code,
        detail=f"导出{period}脱贫人口和监测对象基础名单（含完整证件号码）",
    )
    return count
