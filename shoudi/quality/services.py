"""Data quality's actions: starting a run or a report (a job), the run queued after an import and every night, and
a village's 不是问题 waiver with its township's decision."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from shoudi.core.jobs import start_job
from shoudi.core.models import Job
from shoudi.core.notifications import changed
from shoudi.core.scope import user_can
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from . import results
from .models import Hit

__all__ = [
    "WaiverRefused",
    "after_import",
    "decide_waiver",
    "nightly",
    "queue_run",
    "request_waiver",
    "start_report",
    "start_run",
]

RUN_KIND, REPORT_KIND = "quality.run", "quality.report"
WaiverRefused = results.WaiverRefused


def _title(kind: str, region: Region | None) -> str:
    return f"{'数据质量检查' if kind == RUN_KIND else '数据质量报告'}（{region.name if region else '全部县'}）"


def _in_scope(user, region: Region) -> bool:
    own = user.region.code if getattr(user, "region_id", None) else ""
    return user.is_superuser or (bool(own) and region.code.startswith(own))


@transaction.atomic
def start_run(*, user, region: Region, rules: list[str] | None = None) -> Job:
    """运行检查: a county admin for his county (or a township of it), a township reviewer for his township."""
    if not user_can(user, Hit, "add") or not _in_scope(user, region):
        raise PermissionDenied("您不能对该区划运行数据质量检查")
    return start_job(
        kind=RUN_KIND, user=user, params={"region_code": region.code, "rules": rules}, title=_title(RUN_KIND, region)
    )


@transaction.atomic
def start_report(*, user, region: Region, rules: list[str] | None = None) -> Job:
    """The Excel report of the region's open problems, as a job whose result is the file."""
    if not user_can(user, Hit, "export") or not _in_scope(user, region):
        raise PermissionDenied("您不能导出该区划的数据质量报告")
    return start_job(
        kind=REPORT_KIND,
        user=user,
        params={"region_code": region.code, "rules": rules},
        title=_title(REPORT_KIND, region),
    )


def queue_run(county: Region, *, user=None) -> Job | None:
    """A run of the county unless one is queued already (several imports, or an import and the night, make one)."""
    if Job.objects.filter(kind=RUN_KIND, status=Job.QUEUED, params__region_code=county.code).exists():
        return None
    if user is not None and not user_can(user, Job, "add"):
        user = None  # a system job
    return start_job(kind=RUN_KIND, user=user, params={"region_code": county.code}, title=_title(RUN_KIND, county))


def after_import(*, household_ids, user=None, **kwargs) -> dict:
    """The post-import step: the counties of the imported households get a run, queued for the worker."""
    codes = {
        code[:6]
        for code in Household.objects.filter(pk__in=list(household_ids)).values_list("village__code", flat=True)
    }
    queued = sum(1 for county in Region.objects.filter(code__in=codes) if queue_run(county, user=user) is not None)
    return {"排队检查的县": queued}


def nightly() -> str:
    """The worker's nightly step: every county gets a run (a job each)."""
    queued = sum(1 for county in Region.objects.filter(level="county") if queue_run(county) is not None)
    return f"已排队 {queued} 个县的数据质量检查" if queued else ""


def _lock(hit: Hit) -> Hit:
    return Hit.objects.select_for_update(of=("self",)).select_related("problem__region").get(pk=hit.pk)


@transaction.atomic
def request_waiver(*, hit: Hit, user, reason: str) -> Hit:
    """申请认定不是问题: the village says the data is right (a reason is required); the township decides."""
    hit = _lock(hit)
    if hit.state != Hit.OPEN or hit.problem is None:
        raise WaiverRefused("该问题已关闭，不能再申请")
    if hit.waiver_pending:
        raise WaiverRefused("已申请认定不是问题，等待乡镇确认")
    results.request_waiver(problem=hit.problem, user=user, reason=reason)
    hit.waiver_reason, hit.waiver_by, hit.waiver_at = reason.strip()[:300], user, timezone.now()
    hit.waiver_confirmed_by = hit.waiver_confirmed_at = None
    hit.save(update_fields=["waiver_reason", "waiver_by", "waiver_at", "waiver_confirmed_by", "waiver_confirmed_at"])
    return hit


@transaction.atomic
def decide_waiver(*, hit: Hit, user, approve: bool, text: str = "") -> Hit:
    """The township confirms (不是问题: the problem closes, and is not raised again until the data changes) or
    refuses (the village fixes the data)."""
    hit = _lock(hit)
    if not hit.waiver_pending:
        raise WaiverRefused("没有待确认的“不是问题”申请")
    results.decide_waiver(problem=hit.problem, user=user, approve=approve, text=text)
    if approve:
        hit.state, hit.closed_at = Hit.WAIVED, timezone.now()
        hit.waiver_confirmed_by, hit.waiver_confirmed_at = user, timezone.now()
        hit.closed_note = f"不是问题：{hit.waiver_reason}"[:300]
        hit.save(update_fields=["state", "closed_at", "waiver_confirmed_by", "waiver_confirmed_at", "closed_note"])
        changed("quality", household_ids=[hit.household_id])  # one problem fewer on the dashboards
    else:
        hit.waiver_reason, hit.waiver_by, hit.waiver_at = "", None, None
        hit.save(update_fields=["waiver_reason", "waiver_by", "waiver_at"])
    return hit
