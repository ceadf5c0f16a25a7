"""Data quality's actions: starting a run or a report (a job), and the run queued after an import and every night.
A problem's 不是问题 waiver is the common one, on the problem's page (``work.services``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from shoudi.core.jobs import start_job
from shoudi.core.models import Job
from shoudi.core.scope import user_can
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from .models import Hit

__all__ = ["after_import", "nightly", "queue_run", "start_report", "start_run"]

RUN_KIND, REPORT_KIND = "quality.run", "quality.report"


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
