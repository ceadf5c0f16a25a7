"""The state changes of the employment app: a county's verification round started (the confirmation of its
preview) and withdrawn, and one person verified (which writes his 务工 facts on the registry's member).

Keyword-only, atomic, audited: the round and every verified person are change-logged models; the round's rows are
written and taken back set-based, and the round's own change log records both (its 核实人数, its 撤回)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from shoudi.core.dates import age_on
from shoudi.core.scope import in_scope, user_can
from shoudi.regions.models import Region

from . import choices as c
from .models import EmploymentSettings, Placement, Verification, VerificationRound
from .selectors import candidates

__all__ = ["RoundRefused", "save_placement", "start_round", "verify", "withdraw_round"]

BATCH = 2000


class RoundRefused(ValueError):
    """A step the round's state or the user's role does not allow; the message is for the user."""


def _check_county(user, county: Region) -> None:
    if not user_can(user, VerificationRound, "add"):
        raise PermissionDenied("您的角色无权发起务工信息核实")
    if county.level != "county" or not Region.objects.restrict(user, "view").filter(pk=county.pk).exists():
        raise PermissionDenied("只能为本县发起务工信息核实")


@transaction.atomic
def start_round(*, user, county: Region, year: int, reference_date: datetime.date) -> VerificationRound:
    """确认发起: the round of the county's year, with one row per person the preview counted (16–60 on the date,
    and those older whose 务工 is recorded). One started round per county and year."""
    _check_county(user, county)
    if VerificationRound.objects.filter(county=county, year=year, state=c.STARTED).exists():
        raise RoundRefused(f"{county.name}{year}年的务工信息核实已发起，请在原核实中继续，或先撤回")
    settings = EmploymentSettings.for_region(county)
    try:
        round_ = VerificationRound.objects.create(
            county=county, year=year, reference_date=reference_date, started_by=user
        )
    except IntegrityError:  # a second click while the first was writing
        raise RoundRefused(f"{county.name}{year}年的务工信息核实已发起") from None
    rows = []
    for group, members in candidates(county.code, reference_date, settings).items():
        for pk, village_id, born in members.values_list("pk", "household__village_id", "birth_date").iterator():
            age = age_on(born, reference_date)
            rows.append(Verification(round=round_, member_id=pk, village_id=village_id, group=group, age=age))
    Verification.objects.bulk_create(rows, batch_size=BATCH)
    round_.persons = len(rows)
    round_.save(update_fields=["persons", "updated_at"])
    return round_


@transaction.atomic
def withdraw_round(*, user, round_: VerificationRound) -> VerificationRound:
    """撤回: the round and all its rows, while nobody has been verified yet (after that the verified facts are the
    villages' work, and a round is corrected person by person)."""
    _check_county(user, round_.county)
    round_ = VerificationRound.objects.select_for_update().get(pk=round_.pk)
    if round_.state != c.STARTED:
        raise RoundRefused("该核实已撤回")
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
