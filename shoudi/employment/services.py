"""The state changes of the employment app: a county's verification round started (the confirmation of its
preview, whose rows the worker then writes: ``fill_round``), run again after a failure and withdrawn, and one person
verified (which writes his 务工 facts on the registry's member).

Keyword-only, audited: the round and every verified person are change-logged models; the round's rows are written
and taken back set-based, and the round's own change log records both (its 核实人数, its 撤回). The rows are written
in batches, each its own transaction; the other steps are atomic."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from shoudi.core.dates import age_on
from shoudi.core.jobs import retry_job, start_job
from shoudi.core.models import Job
from shoudi.core.scope import in_scope, user_can
from shoudi.regions.models import Region

from . import choices as c
from .models import EmploymentSettings, Placement, Verification, VerificationRound
from .selectors import candidates

__all__ = [
    "ROUND_JOB",
    "RoundRefused",
    "fill_round",
    "retry_round",
    "save_placement",
    "start_round",
    "verify",
    "withdraw_round",
]

BATCH = 2000
ROUND_JOB = "employment.round_rows"


class RoundRefused(ValueError):
    """A step the round's state or the user's role does not allow; the message is for the user."""


def _check_county(user, county: Region) -> None:
    if not user_can(user, VerificationRound, "add"):
        raise PermissionDenied("您的角色无权发起务工信息核实")
    if county.level != "county" or not Region.objects.restrict(user, "view").filter(pk=county.pk).exists():
        raise PermissionDenied("只能为本县发起务工信息核实")


@transaction.atomic
def start_round(*, user, county: Region, year: int, reference_date: datetime.date) -> VerificationRound:
    """确认发起: the round of the county's year, 正在生成名单, and the background job that writes one row per person
    the preview counted (``fill_round``: 16–60 on the date, and those older whose 务工 is recorded). One round per
    county and year until it is withdrawn."""
    _check_county(user, county)
    if VerificationRound.objects.filter(county=county, year=year, state__in=c.OPEN_STATES).exists():
        raise RoundRefused(f"{county.name}{year}年的务工信息核实已发起，请在原核实中继续，或先撤回")
    try:
        with transaction.atomic():
            round_ = VerificationRound.objects.create(
                county=county, year=year, reference_date=reference_date, state=c.CREATING, started_by=user
            )
    except IntegrityError:  # a second click while the first was writing
        raise RoundRefused(f"{county.name}{year}年的务工信息核实已发起") from None
    round_.job = start_job(
        kind=ROUND_JOB,
        user=user,
        params={"round_id": round_.pk},
        title=f"{county.name}{year}年务工信息核实：生成核实名单",
    )
    round_.save(update_fields=["job", "updated_at"])
    return round_


def _lock_creating(round_id: int) -> VerificationRound:
    round_ = VerificationRound.objects.select_for_update().get(pk=round_id)
    if round_.state != c.CREATING:
        raise RoundRefused("该核实已撤回，不再生成核实名单")
    return round_


def fill_round(round_id: int, *, progress: Callable[[int, int], None] | None = None) -> int:
    """The confirmation's work, run by the round's job in the worker: one row per person the round covers, with his
    group and his age on the round's date, then the round is 核实中 with its 核实人数. Returns the rows this run
    wrote.

    The rows go in batches of ``BATCH``, each batch its own transaction (the round locked and still 正在生成名单), so
    that the page's progress moves and a withdrawal cannot cross a batch. A run that fails keeps the batches it
    wrote; the retry writes only the persons still without a row, so nobody is written twice (the round's
    (round, member) constraint guards the same). ``progress(done, total)`` after each batch."""
    round_ = VerificationRound.objects.select_related("county").get(pk=round_id)
    if round_.state == c.STARTED:
        return 0  # written already: a run whose work committed before its job was judged dead
    if round_.state != c.CREATING:
        raise RoundRefused("该核实已撤回，不再生成核实名单")
    settings = EmploymentSettings.for_region(round_.county)
    groups = candidates(round_.county.code, round_.reference_date, settings)
    total = sum(qs.count() for qs in groups.values())
    have = set(round_.rows.values_list("member_id", flat=True)) if round_.rows.exists() else set()
    done, written = len(have), 0
    if progress:
        progress(done, total)
    for group, members in groups.items():
        members = members.order_by("pk").values_list("pk", "household__village_id", "birth_date")
        last = 0
        while page := list(members.filter(pk__gt=last)[:BATCH]):
            last = page[-1][0]
            rows = [
                Verification(
                    round_id=round_id,
                    member_id=pk,
                    village_id=village_id,
                    group=group,
                    age=age_on(born, round_.reference_date),
                )
                for pk, village_id, born in page
                if pk not in have
            ]
            if rows:
                with transaction.atomic():
                    _lock_creating(round_id)
                    Verification.objects.bulk_create(rows)
            written += len(rows)
            done += len(rows)
            if progress:
                progress(done, total)
    with transaction.atomic():
        round_ = _lock_creating(round_id)
        round_.persons = round_.rows.count()
        round_.state = c.STARTED
        round_.save(update_fields=["persons", "state", "updated_at"])
    return written


@transaction.atomic
def retry_round(*, user, round_: VerificationRound) -> VerificationRound:
    """重新生成: the failed job of a round still 正在生成名单 queued again (it keeps the rows already written)."""
    _check_county(user, round_.county)
    round_ = VerificationRound.objects.select_for_update(of=("self",)).select_related("job").get(pk=round_.pk)
    if not round_.is_creating or round_.job is None:
        raise RoundRefused("该核实的名单已生成" if round_.state == c.STARTED else "该核实已撤回")
    if round_.job.status != Job.FAILED:
        raise RoundRefused("核实名单正在生成，请稍候")
    retry_job(job=round_.job, user=user)
    return round_


@transaction.atomic
def withdraw_round(*, user, round_: VerificationRound) -> VerificationRound:
    """撤回: the round and all its rows, while nobody has been verified yet (after that the verified facts are the
    villages' work, and a round is corrected person by person). A round whose rows are being written waits for its
    job; one whose job failed may be withdrawn (with the rows written so far)."""
    _check_county(user, round_.county)
    round_ = VerificationRound.objects.select_for_update(of=("self",)).select_related("job").get(pk=round_.pk)
    if round_.state == c.WITHDRAWN:
        raise RoundRefused("该核实已撤回")
    if round_.is_creating and not round_.job_failed:
        raise RoundRefused("核实名单正在生成，请待生成完毕后再撤回")
    verified = round_.rows.filter(verified_at__isnull=False).count()
    if verified:
        raise RoundRefused(f"已有 {verified} 人核实，不能撤回")
    round_.rows.all()._raw_delete(round_.rows.db)  # set-based: the round's own change log records the withdrawal
    round_.state = c.WITHDRAWN
    round_.withdrawn_at = timezone.now()
    round_.withdrawn_by = user
    round_.save()
    return round_


@transaction.atomic
def verify(
    *,
    user,
    verification: Verification,
    employed: bool,
    work_place: str = "",
    work_months: int | None = None,
    work_type: str = "",
) -> Verification:
    """核实一人: what the village found, on the round's row and on the registry's member (是否已务工, 务工所在地,
    务工时间（月）). Not employed clears the place and the months. A person may be verified again while the round
    runs (a correction)."""
    verification = Verification.objects.select_for_update().select_related("round", "member").get(pk=verification.pk)
    if not in_scope(user, verification, "change"):
        raise PermissionDenied("您无权核实此人")
    if verification.round.is_creating:
        raise RoundRefused("核实名单正在生成，生成完毕后才能核实")
    if verification.round.state != c.STARTED:
        raise RoundRefused("该核实已撤回，不能再核实")
    if employed and not work_place.strip():
        raise RoundRefused("已务工的请填写务工地点")
    if not employed:
        work_place, work_months, work_type = "", None, ""
    verification.employed = employed
    verification.work_place = work_place.strip()
    verification.work_months = work_months
    verification.work_type = work_type
    verification.verified_at = timezone.now()
    verification.verified_by = user
    verification.save()
    member = verification.member
    member.employed = employed
    member.work_place = verification.work_place
    member.work_months = work_months if employed else 0
    member.save(update_fields=["employed", "work_place", "work_months", "updated_at"])
    return verification


@transaction.atomic
def save_placement(*, placement: Placement) -> Placement:
    """上岗/离岗: the placement saved, and the member's 公益性岗位 kept in step — the name of the post he holds now
    (the latest one still open), blank once he holds none — so that the registry, its export and the 零就业家庭
    count him as employed exactly while he is on a post."""
    placement.save()
    member = placement.member
    today = timezone.localdate()
    holding = (
        Placement.objects.filter(member=member, start_date__lte=today)
        .exclude(end_date__lt=today)
        .select_related("post")
        .order_by("-start_date", "-id")
        .first()
    )
    name = holding.post.name if holding is not None else ""
    if member.public_welfare_job != name:
        member.public_welfare_job = name
        member.save(update_fields=["public_welfare_job", "updated_at"])
    return placement
