"""What changes the 低收入人口 register: designating by hand and ending a designation, applying a checked 民政 list
and withdrawing it, the 分类帮扶 actions (申请中 → 已批准 / 未批准) and the 关爱 records.

Every service is keyword-only and atomic, checks that the user may act on the object in his scope and that the
transition is allowed; the models are change-logged, and the bulk writes of an import log their rows themselves.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from shoudi.accounts.roles import DEPARTMENT
from shoudi.core.audit import build_change, log_changes
from shoudi.core.models import ObjectChange
from shoudi.core.scope import user_can
from shoudi.registry.models import Household, Member

from . import choices as c
from .models import CareRecord, Designation, DesignationImport, SupportAction

__all__ = [
    "Refused",
    "apply_for",
    "decide_action",
    "designate",
    "end_designation",
    "import_designations",
    "record_care",
    "withdraw_import",
]


class Refused(Exception):
    """An action that may not be taken now, or not by this user (the message says why, in Chinese)."""


def _in_scope(user, obj, action: str) -> bool:
    return type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()


def _require(user, model, action: str, household: Household | None = None) -> None:
    if not user_can(user, model, action):
        raise Refused(f"您的角色不能办理{model._meta.verbose_name}")
    if household is not None and not _in_scope(user, household, "view"):
        raise Refused("该农户不在您的管辖范围内")


CIVIL_AFFAIRS = "civil_affairs"  # the department whose register this is (accounts.roles.DEPARTMENT_CHOICES)


def brings_the_list(user) -> bool:
    """Whether the user's role may import and withdraw 民政 lists at all: among the 行业部门 only 民政 does (the
    county admin and the township reviewer keep their right; the permission table says who else)."""
    return getattr(user, "role", None) != DEPARTMENT or getattr(user, "department", "") == CIVIL_AFFAIRS


def _require_civil_affairs(user, doing: str) -> None:
    if not brings_the_list(user):
        raise Refused(f"只有民政部门的用户可以{doing}民政名单，您所属的部门不能办理")


def _member_of(household: Household, member: Member | None) -> Member | None:
    if member is not None and member.household_id != household.pk:
        raise Refused("所选家庭成员不属于该户")
    return member


@transaction.atomic
def designate(
    *,
    user,
    household: Household,
    category: str,
    member: Member | None = None,
    since: datetime.date | None = None,
    note: str = "",
) -> Designation:
    """手工录入 a category on a household (or one of its members); the same category in force twice is refused."""
    _require(user, Designation, "add", household)
    member = _member_of(household, member)
    since = since or timezone.localdate()
    open_rows = Designation.objects.filter(household=household, member=member, category=category, until__isnull=True)
    if open_rows.exists():
        raise Refused(f"{member.name if member else '该户'}已有在册的“{category}”认定")
    return Designation.objects.create(
        household=household, member=member, category=category, source=c.HAND, since=since, note=note.strip()[:200]
    )


@transaction.atomic
def end_designation(*, user, designation: Designation, until: datetime.date, reason: str) -> Designation:
    """终止: the designation ends on ``until`` (not before it began); an ended one is not ended again."""
    designation = Designation.objects.select_for_update().get(pk=designation.pk)
    if not _in_scope(user, designation, "change"):
        raise Refused("您不能修改这条认定")
    if designation.until is not None:
        raise Refused(f"该认定已于 {designation.until:%Y-%m-%d} 终止")
    if until < designation.since:
        raise Refused("终止日期不能早于起始日期")
    if not reason.strip():
        raise Refused("请填写终止原因")
    designation.until, designation.end_reason = until, reason.strip()[:200]
    designation.save()
    return designation


@transaction.atomic
def import_designations(result, *, user) -> int:
    """Apply a checked 民政 list (``importing.DesignationList``): create its new designations and end those its
    rows end, as one batch (撤回 undoes it). Returns the number of rows applied."""
    _require(user, Designation, "import")
    _require_civil_affairs(user, "导入")
    if not result.ok:
        raise Refused("清单有错误，未导入")
    batch = DesignationImport.objects.create(
        region=user.region if getattr(user, "region_id", None) else None,
        file_name=result.file_name[:200],
        imported_by=user,
        created_count=len(result.new),
        ended_count=len(result.ended),
        unmatched_count=len(result.unmatched),
    )
    by_id = Member.objects.select_related("household").in_bulk([row.member_id for row in result.new])
    created = Designation.objects.bulk_create(
        [
            Designation(
                household=by_id[row.member_id].household,
                member=by_id[row.member_id],
                category=row.category,
                source=c.LIST,
                since=row.since,
                until=row.until,
                note=row.note,
                batch=batch,
            )
            for row in result.new
        ]
    )
    audit = [build_change(d, ObjectChange.CREATE, None, d.audit_data()) for d in created]
    now = timezone.now()
    ended_ids = [row.designation_id for row in result.ended]
    ended = {d.pk: d for d in Designation.objects.select_for_update().filter(pk__in=ended_ids, until__isnull=True)}
    for row in result.ended:
        designation = ended.get(row.designation_id)
        if designation is None:
            raise Refused(f"第 {row.row} 行：该认定已被他人终止，请重新上传检查")
        before = designation.audit_data()
        designation.until = max(row.until, designation.since)
        designation.end_reason = "民政名单终止"
        designation.ended_by, designation.updated_at = batch, now
        audit.append(build_change(designation, ObjectChange.UPDATE, before, designation.audit_data()))
    Designation.objects.bulk_update(list(ended.values()), ["until", "end_reason", "ended_by", "updated_at"])
    log_changes(audit)
    return len(created) + len(ended)


@transaction.atomic
def withdraw_import(*, user, batch: DesignationImport) -> DesignationImport:
    """撤回 an import: delete the designations it created, reopen those it ended. Refused once withdrawn, or when a
    later import has ended one of its designations (withdraw that one first)."""
    _require_civil_affairs(user, "撤回")
    batch = DesignationImport.objects.select_for_update().get(pk=batch.pk)
    if not _in_scope(user, batch, "change"):
        raise Refused("您不能撤回这次导入")
    if batch.withdrawn_at is not None:
        raise Refused("该次导入已撤回")
    later = batch.created.filter(ended_by__isnull=False, ended_by__withdrawn_at__isnull=True).first()
    if later is not None:
        raise Refused(f"后来的导入“{later.ended_by.file_name}”已终止本次新增的认定，请先撤回那次导入")
    audit, now = [], timezone.now()
    reopened = list(batch.ended.select_for_update())
    for designation in reopened:
        before = designation.audit_data()
        designation.until, designation.end_reason, designation.ended_by = None, "", None
        designation.updated_at = now
        audit.append(build_change(designation, ObjectChange.UPDATE, before, designation.audit_data()))
    Designation.objects.bulk_update(reopened, ["until", "end_reason", "ended_by", "updated_at"])
    log_changes(audit)
    batch.created.all().delete()  # one by one through the change log's signals
    batch.withdrawn_at, batch.withdrawn_by = timezone.now(), user
    batch.save()
    return batch


@transaction.atomic
def apply_for(*, user, household: Household, kind: str, content: str, applied_on: datetime.date) -> SupportAction:
    """分类帮扶: the 村级工作专班 applies for 低保 or 特困, or asks for a targeted measure (申请中)."""
    _require(user, SupportAction, "add", household)
    if kind not in dict(c.ACTION_KINDS):
        raise Refused(f"“{kind}”不是可选的帮扶事项")
    if applied_on > timezone.localdate():
        raise Refused("申请日期不能晚于今天")
    return SupportAction.objects.create(household=household, kind=kind, content=content.strip(), applied_on=applied_on)


@transaction.atomic
def decide_action(*, user, action: SupportAction, approve: bool, decision: str = "") -> SupportAction:
    """批准 or 不批准 an action still 申请中 (the township or county: who may change it); a decision is final."""
    action = SupportAction.objects.select_for_update().get(pk=action.pk)
    if not _in_scope(user, action, "change"):
        raise Refused("您的角色不能审批分类帮扶事项")
    target = c.APPROVED if approve else c.REJECTED
    if target not in c.TRANSITIONS.get(action.status, ()):
        raise Refused(f"该事项{action.status}，不能改为{target}")
    if not approve and not decision.strip():
        raise Refused("不批准时请填写原因")
    action.status, action.decided_on, action.decided_by = target, timezone.localdate(), user
    action.decision = decision.strip()[:300] or "同意"
    action.save()
    return action


@transaction.atomic
def record_care(
    *,
    user,
    member: Member,
    kind: str,
    served_on: datetime.date,
    server: str,
    content: str,
    server_post: str = "",
) -> CareRecord:
    """A 关爱行动 record for one person (a “两无” elder, a left-behind child, an orphan)."""
    household = member.household
    _require(user, CareRecord, "add", household)
    if kind not in dict(c.CARE_KINDS):
        raise Refused(f"“{kind}”不是可选的关爱行动")
    if served_on > timezone.localdate():
        raise Refused("服务日期不能晚于今天")
    if not server.strip():
        raise Refused("请填写服务人员")
    return CareRecord.objects.create(
        household=household,
        member=member,
        kind=kind,
        served_on=served_on,
        server=server.strip()[:50],
        server_post=server_post.strip()[:50],
        content=content.strip(),
    )
