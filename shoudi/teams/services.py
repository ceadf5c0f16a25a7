"""What changes a team's records beyond one form: appointing and ending a member, the phone check-in and the
manager's 补录, and the chain of a leave request (乡镇 up to N days, then 县委组织部) or a 公出 report.

Every service is keyword-only and atomic, checks who acts and that the object is in his scope; the change log
records the rows (the models are change-logged).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from shoudi.accounts.roles import ORGANIZATION, TEAM_MANAGER, TEAM_MEMBER
from shoudi.assistance.models import Cadre
from shoudi.core.idnumbers import IdNumberError, validate_id_number
from shoudi.core.scope import user_can

from . import choices as c
from .attendance import SettingsResolver
from .geo import Position, decimal6, doubts
from .models import Absence, CheckIn, Team, TeamMember, TeamSettings

__all__ = [
    "Refused",
    "allowed_actions",
    "appoint_member",
    "check_in",
    "current_assignment",
    "decide_absence",
    "end_assignment",
    "make_up",
    "may_make_up",
    "report_absence",
    "return_from_leave",
    "withdraw_absence",
]

STATE_LABELS = dict(c.ABSENCE_STATES)
DOUBLE_TAP = datetime.timedelta(minutes=1)  # a second tap within this is the same check-in


class Refused(Exception):
    """An action that may not be taken now, or not by this user (the message says why, in Chinese)."""


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "系统"


def _in_scope(user, obj, action: str) -> bool:
    return type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()


def _role(user) -> str:
    return "superuser" if user.is_superuser else getattr(user, "role", "")


def current_assignment(user) -> TeamMember | None:
    """The user's current team assignment (a 驻村工作队员's login), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        TeamMember.objects.filter(user=user, end_date__isnull=True)
        .select_related("team__village__parent", "unit")
        .first()
    )


# --- members ------------------------------------------------------------------------------------------------------


@transaction.atomic
def appoint_member(
    *,
    user,
    team: Team,
    name: str,
    unit,
    post: str = c.MEMBER,
    position: str = "",
    phone: str = "",
    id_number: str = "",
    start_date: datetime.date | None = None,
    term_years: int = 2,
    login=None,
    pairing_cadre: bool = False,
) -> TeamMember:
    """选派: a new assignment to the team. With ``pairing_cadre`` he is also a 结对帮扶干部 of the village: his
    cadre record is made (or the one of his login is used), so that his visits are the cadre's visits."""
    if not user_can(user, TeamMember, "add") or not _in_scope(user, team, "view"):
        raise Refused("您不能向该工作队选派队员")
    if id_number:
        try:
            id_number = validate_id_number(id_number)
        except IdNumberError as exc:
            raise Refused(f"身份证号：{exc}") from None
    if login is not None:
        if login.role != TEAM_MEMBER or login.region_id != team.village_id:
            raise Refused(f"登录账号“{login}”应为{team.village.name}的驻村工作队员账号")
        if TeamMember.objects.filter(user=login, end_date__isnull=True).exists():
            raise Refused(f"登录账号“{login}”已是另一支工作队的在岗队员")
    member = TeamMember.objects.create(
        team=team,
        name=name.strip(),
        post=post,
        unit=unit,
        position=position,
        phone=phone.strip(),
        id_number=id_number,
        start_date=start_date or timezone.localdate(),
        term_years=term_years,
        user=login,
    )
    if pairing_cadre:
        member.cadre = _cadre_for(member)
        member.save()
    return member


def _cadre_for(member: TeamMember) -> Cadre:
    """The member's 帮扶干部 record: his login's, else a new one in his village."""
    cadre = Cadre.objects.filter(user=member.user).first() if member.user_id else None
    if cadre is None:
        cadre = Cadre.objects.create(
            name=member.name,
            unit=member.unit.name,
            position=f"驻村{member.get_post_display()}",
            phone=member.phone,
            region=member.team.village,
            user=member.user,
        )
    return cadre


@transaction.atomic
def end_assignment(*, user, member: TeamMember, end_date: datetime.date, reason: str) -> TeamMember:
    """The member leaves the team (调整, 期满): the row stays as his history."""
    if not _in_scope(user, member, "change"):
        raise Refused("您不能调整该队员")
    member = TeamMember.objects.select_for_update().get(pk=member.pk)
    if member.end_date is not None:
        raise Refused(f"该队员已于 {member.end_date:%Y-%m-%d} 结束驻村")
    if end_date < member.start_date:
        raise Refused("结束日期不能早于驻村开始日期")
    if not reason.strip():
        raise Refused("请填写结束原因")
    member.end_date, member.end_reason = end_date, reason.strip()[:200]
    member.save()
    return member


# --- check-ins ------------------------------------------------------------------------------------------------------


def _night_of(local: datetime.datetime, rules: TeamSettings) -> datetime.date | None:
    if local.hour >= rules.night_from_hour:
        return local.date()
    if local.hour < rules.night_until_hour:
        return local.date() - datetime.timedelta(days=1)
    return None


@transaction.atomic
def check_in(
    *, user, latitude=None, longitude=None, accuracy=None, photo=None, now: datetime.datetime | None = None
) -> tuple[CheckIn, bool]:
    """签到: one tap at the server's time (``now`` is for tests), with the phone's position if it gave one.
    Returns the check-in and whether it is new (a second tap within a minute returns the first)."""
    member = current_assignment(user)
    if member is None or not user_can(user, CheckIn, "add"):
        raise Refused("您不是在岗的驻村工作队员，不能签到")
    TeamMember.objects.select_for_update().filter(pk=member.pk).first()  # one check-in at a time per member
    now = now or timezone.now()
    last = CheckIn.objects.filter(member=member, kind=c.PHONE).order_by("-at").first()
    if last is not None and now - last.at < DOUBLE_TAP:
        return last, False
    local = timezone.localtime(now)
    rules = TeamSettings.for_region(member.team.village)
    team = member.team
    here = Position.of(latitude, longitude, accuracy)
    if here is not None and not (-90 <= here.latitude <= 90 and -180 <= here.longitude <= 180):
        raise Refused("定位数据不正确")
    located = (
        CheckIn.objects.filter(member=member, kind=c.PHONE, latitude__isnull=False).order_by("-at").first()
        if here is not None
        else None
    )
    previous = (Position.of(located.latitude, located.longitude, located.accuracy), located.at) if located else None
    doubt = doubts(
        here=here,
        site=Position.of(team.latitude, team.longitude),
        far_metres=rules.far_metres,
        previous=previous,
        at=now,
        max_speed_kmh=rules.max_speed_kmh,
    )
    note = doubt.note  # without the team's place, only a jump can be judged: the distance stays unknown
    checkin = CheckIn.objects.create(
        member=member,
        kind=c.PHONE,
        day=local.date(),
        at=now,
        night_of=_night_of(local, rules),
        latitude=decimal6(latitude) if here is not None else None,
        longitude=decimal6(longitude) if here is not None else None,
        accuracy=round(here.accuracy) if here is not None and here.accuracy is not None else None,
        distance=doubt.distance,
        flagged=bool(note),
        flag_note=note[:300],
        photo=photo or "",
        entered_by=user,
    )
    return checkin, True


def may_make_up(user, member: TeamMember) -> bool:
    return (
        _role(user) in ("superuser", TEAM_MANAGER)
        and user_can(user, CheckIn, "add")
        and _in_scope(user, member, "view")
    )


@transaction.atomic
def make_up(*, user, member: TeamMember, day: datetime.date, night: bool = False, reason: str) -> CheckIn:
    """补录: the township's manager enters a day the member was in the village without a check-in, with the
    reason (a phone without signal, a forgotten tap)."""
    if not may_make_up(user, member):
        raise Refused("补录由乡镇驻村管理员办理")
    if not reason.strip():
        raise Refused("请填写补录原因")
    today = timezone.localdate()
    if day > today:
        raise Refused("补录日期不能晚于今天")
    if day < member.start_date or (member.end_date is not None and day > member.end_date):
        raise Refused(f"{day:%Y-%m-%d} 不在该队员的驻村期间内")
    if CheckIn.objects.filter(member=member, day=day).exists():
        raise Refused(f"{member.name} {day:%Y-%m-%d} 已有签到记录，无需补录")
    return CheckIn.objects.create(
        member=member,
        kind=c.MAKE_UP,
        day=day,
        at=timezone.now(),
        night_of=day if night else None,
        reason=reason.strip()[:200],
        entered_by=user,
    )


# --- leave and 公出 --------------------------------------------------------------------------------------------------


def _is_self(user, member: TeamMember) -> bool:
    return member.user_id is not None and member.user_id == user.pk


def _is_manager(user, member: TeamMember) -> bool:
    return _role(user) in ("superuser", TEAM_MANAGER) and _in_scope(user, member, "view")


@transaction.atomic
def report_absence(
    *,
    user,
    member: TeamMember,
    category: str,
    kind: str,
    start_date: datetime.date,
    end_date: datetime.date,
    reason: str,
    destination: str = "",
) -> Absence:
    """请假 (then waits for the township) or 公出 (reported before it starts: counted as days in the village). By
    the member himself or the township's manager for him."""
    if not (_is_self(user, member) or _is_manager(user, member)) or not user_can(user, Absence, "add"):
        raise Refused("请假和公出由队员本人或乡镇驻村管理员登记")
    if not member.is_current:
        raise Refused("该队员已结束驻村")
    if category not in c.TYPES or kind not in c.TYPES[category]:
        raise Refused("请选择事由类型")
    if end_date < start_date:
        raise Refused("结束日期不能早于开始日期")
    days = (end_date - start_date).days + 1
    if days > 180:
        raise Refused("一次请假或公出不能超过 180 天")
    if not reason.strip():
        raise Refused("请填写事由")
    today = timezone.localdate()
    if category == c.OFFICIAL and start_date < today:
        raise Refused("公出须在出发前报备；已经发生的外出请按请假办理，或由乡镇驻村管理员补录在村天数")
    overlap = Absence.objects.filter(
        member=member, state__in=c.ACTIVE_STATES, start_date__lte=end_date, end_date__gte=start_date
    ).first()
    if overlap is not None:
        raise Refused(
            f"与已登记的{overlap.category}（{overlap.start_date:%Y-%m-%d} 至 {overlap.end_date:%Y-%m-%d}）重叠"
        )
    return Absence.objects.create(
        member=member,
        category=category,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        days=days,
        reason=reason.strip()[:300],
        destination=destination.strip()[:100],
        state=c.REPORTED if category == c.OFFICIAL else c.PENDING_TOWNSHIP,
        entered_by=user,
    )


def _lock(absence: Absence, user) -> Absence:
    locked = Absence.objects.select_for_update().filter(pk=absence.pk).select_related("member__team__village").first()
    if locked is None or not _in_scope(user, locked, "view"):
        raise Refused("该记录不存在或不在您的管辖范围内")
    return locked


def _state_refused(absence: Absence) -> Refused:
    return Refused(f"该申请当前状态为「{STATE_LABELS[absence.state]}」，不能进行此操作（可能已被他人处理，请刷新页面）")


def township_limit(absence: Absence) -> int:
    return SettingsResolver()(absence.member.team.village.code).township_leave_days


@transaction.atomic
def decide_absence(*, user, absence: Absence, approve: bool, opinion: str = "") -> Absence:
    """审批: the township's manager decides leave of up to N days (5) and gives his opinion on longer leave, which
    then waits for the county's 组织部."""
    absence = _lock(absence, user)
    role = _role(user)
    if absence.state not in c.PENDING_STATES:
        raise _state_refused(absence)
    if not approve and not opinion.strip():
        raise Refused("不批准时请填写意见")
    now, who = timezone.now(), _name(user)
    limit = township_limit(absence)
    if absence.state == c.PENDING_TOWNSHIP:
        if role not in ("superuser", TEAM_MANAGER) or not _in_scope(user, absence, "change"):
            raise Refused("此步由乡镇驻村管理员审批")
        absence.township_by, absence.township_at = who, now
        absence.township_opinion = opinion.strip()[:300] or ("同意" if approve else "")
        if not approve:
            absence.state = c.REJECTED
        else:
            absence.state = c.APPROVED if absence.days <= limit else c.PENDING_COUNTY
    else:
        if role not in ("superuser", ORGANIZATION) or not _in_scope(user, absence, "change"):
            raise Refused(f"请假超过 {limit} 天，由县委组织部审批")
        absence.county_by, absence.county_at = who, now
        absence.county_opinion = opinion.strip()[:300] or ("同意" if approve else "")
        absence.state = c.APPROVED if approve else c.REJECTED
    absence.save()
    return absence


@transaction.atomic
def withdraw_absence(*, user, absence: Absence) -> Absence:
    """撤回: a request not yet decided, or a 公出 not yet begun, withdrawn by the member or the manager."""
    absence = _lock(absence, user)
    if not (_is_self(user, absence.member) or _is_manager(user, absence.member)):
        raise Refused("只有本人或乡镇驻村管理员可以撤回")
    started = absence.state == c.REPORTED and absence.start_date <= timezone.localdate()
    if absence.state not in (*c.PENDING_STATES, c.REPORTED) or started:
        raise _state_refused(absence)
    absence.state = c.WITHDRAWN
    absence.save()
    return absence


@transaction.atomic
def return_from_leave(*, user, absence: Absence, returned_on: datetime.date) -> Absence:
    """销假: the member is back in the village on ``returned_on`` (an early return shortens the leave days)."""
    absence = _lock(absence, user)
    if not (_is_self(user, absence.member) or _is_manager(user, absence.member)):
        raise Refused("销假由本人或乡镇驻村管理员办理")
    if absence.state != c.APPROVED:
        raise _state_refused(absence)
    if returned_on < absence.start_date or returned_on > timezone.localdate():
        raise Refused("销假日期应在请假开始之后，且不晚于今天")
    absence.returned_on, absence.state = returned_on, c.RETURNED
    absence.save()
    return absence


def allowed_actions(absence: Absence, user) -> set[str]:
    """The buttons the absence's page offers this user now (the services check again)."""
    if not _in_scope(user, absence, "view"):
        return set()
    role, actions = _role(user), set()
    member = absence.member
    if (
        absence.state == c.PENDING_TOWNSHIP
        and role in ("superuser", TEAM_MANAGER)
        and _in_scope(user, absence, "change")
    ):
        actions.add("decide")
    if absence.state == c.PENDING_COUNTY and role in ("superuser", ORGANIZATION) and _in_scope(user, absence, "change"):
        actions.add("decide")
    mine = _is_self(user, member) or _is_manager(user, member)
    if mine and (
        absence.state in c.PENDING_STATES or (absence.state == c.REPORTED and absence.start_date > timezone.localdate())
    ):
        actions.add("withdraw")
    if mine and absence.state == c.APPROVED:
        actions.add("return")
    return actions
