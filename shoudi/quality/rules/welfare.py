"""兜底保障: a 低保 or 特困供养 measure while no member receives it, and 享受低保 in a household that is neither lifted
nor monitored (a 农村低收入人口 the county should know, S003 三(二))."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef

from shoudi.assistance.models import Measure
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Household, Member

from ..passes import DIBAO, LIVE, TEKUN
from .base import COUNTY, HOUSEHOLD, Found, Rule

TOPIC = "兜底保障"
LIFTED = "脱贫户"


def _measure_without_members(sub_item: str, field: str, values: tuple[str, ...]):
    """Households with a 综合保障 measure ``sub_item`` (not 终止) and no living member whose ``field`` is one of
    ``values``."""

    def check(params, scope):
        receiving = Member.objects.filter(household=OuterRef("household_id"), status=LIVE, **{f"{field}__in": values})
        rows = (
            Measure.objects.filter(household__village__code__startswith=scope, category="综合保障", sub_item=sub_item)
            .exclude(status="终止")
            .filter(~Exists(receiving))
            .order_by()
            .values("household_id", "household__village_id", "household__household_no")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            figures = {"户编号": row["household__household_no"], "措施数": str(row["n"])}
            yield Found(row["household_id"], row["household_id"], row["household__village_id"], figures)

    return check


def dibao_not_monitored(params, scope):
    """Households with a member receiving 低保 that are not 脱贫户 and were never identified as 监测对象."""
    receiving = Member.objects.filter(household=OuterRef("pk"), status=LIVE, dibao__in=DIBAO)
    identified = MonitoringCase.objects.filter(household=OuterRef("pk"), identified_on__isnull=False)
    rows = (
        Household.objects.filter(village__code__startswith=scope)
        .exclude(household_type=LIFTED)
        .filter(Exists(receiving))
        .filter(~Exists(identified))
        .values_list("pk", "village_id", "household_no", "household_type")
    )
    for pk, village_id, household_no, household_type in rows:
        yield Found(pk, pk, village_id, {"户编号": household_no, "户类型": household_type})


RULES = [
    Rule(
        "6_01_010",
        "有低保帮扶措施但无成员享受低保",
        TOPIC,
        "错误",
        COUNTY,
        HOUSEHOLD,
        "户 {户编号} 有 {措施数} 项综合保障·低保措施，家庭成员却都未享受低保",
        {"户编号": "household_no"},
        check=_measure_without_members("低保", "dibao", DIBAO),
        note="状态不是“终止”的措施；成员的享受低保政策情况为农村低保或城市低保",
    ),
    Rule(
        "6_01_020",
        "有特困供养措施但无成员享受特困供养",
        TOPIC,
        "错误",
        COUNTY,
        HOUSEHOLD,
        "户 {户编号} 有 {措施数} 项综合保障·特困供养措施，家庭成员却都未享受特困供养",
        {"户编号": "household_no"},
        check=_measure_without_members("特困供养", "tekun", TEKUN),
    ),
    Rule(
        "6_02_010",
        "享受低保但既非脱贫户也非监测对象",
        TOPIC,
        "提示",
        COUNTY,
        HOUSEHOLD,
        "户 {户编号}（{户类型}）有成员享受低保，既不是脱贫户也未识别为监测对象，请研判是否纳入监测",
        {"户编号": "household_no"},
        check=dibao_not_monitored,
        note="农村低收入人口应纳入常态化监测",
    ),
]
