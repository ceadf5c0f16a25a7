"""送教上门 changes: enrolling a child, ending an enrolment, recording a visit. Each checks the rule it guards and
the user's scope; the change log records every save (core.audit)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from shoudi.core.scope import in_scope, user_can
from shoudi.registry.models import Member

from .models import HomeTeaching, HomeTeachingVisit
from .selectors import AGE_FROM, AGE_TO

__all__ = ["Refused", "end_enrolment", "enrol", "record_visit"]

SEVERE_GRADES = ("1", "2")  # 重度残疾: 一级、二级


class Refused(Exception):
    """A change the rules do not allow; the message says why, in Chinese."""


def _check(user, obj, action: str, what: str) -> None:
    if not user_can(user, type(obj), action) or (obj.pk and not in_scope(user, obj, action)):
        raise Refused(f"您无权{what}")


@transaction.atomic
def enrol(
    *,
    user,
    member: Member,
    school: str,
    teacher: str,
    teacher_phone: str = "",
    start_date: datetime.date | None = None,
    note: str = "",
) -> HomeTeaching:
    """Enrol a child for 送教上门: a living member of 6–15 on the start day, severely disabled (一级/二级), with no
    current enrolment; the member must be in the user's scope."""
    start_date = start_date or timezone.localdate()
    enrolment = HomeTeaching(member=member)
    _check(user, enrolment, "add", "登记送教上门对象")
    if not Member.objects.restrict(user, "view").filter(pk=member.pk).exists():
        raise Refused("该成员不在您的管辖范围内")
    if member.status != "正常":
        raise Refused(f"{member.name}的成员状态为“{member.status}”，不能登记送教上门")
    age = member.age_on(start_date)
    if age is None or not AGE_FROM <= age <= AGE_TO:
        shown = "未知" if age is None else f"{age}周岁"
        raise Refused(f"送教上门对象须为{AGE_FROM}—{AGE_TO}周岁义务教育阶段儿童少年（{member.name}：{shown}）")
    if not member.disability_category or member.disability_grade not in SEVERE_GRADES:
        shown = member.disability_text or "未录入残疾信息"
        raise Refused(f"送教上门对象须为重度（一级、二级）残疾儿童少年（{member.name}：{shown}），请先核实残疾信息")
    if not school.strip() or not teacher.strip():
        raise Refused("请填写学籍学校和送教教师")
    enrolment.school, enrolment.teacher, enrolment.teacher_phone = (
        school.strip(),
        teacher.strip(),
        teacher_phone.strip(),
    )
    enrolment.start_date, enrolment.note = start_date, note.strip()
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        raise Refused(f"{member.name}已在送教上门名单中") from None
    return enrolment


@transaction.atomic
def end_enrolment(*, user, enrolment: HomeTeaching, end_date: datetime.date, reason: str) -> HomeTeaching:
    """End a current enrolment (入校就读, 年满16周岁, 迁出 …): the reason is required, the day not before its start."""
    enrolment = HomeTeaching.objects.select_for_update().get(pk=enrolment.pk)
    _check(user, enrolment, "change", "结束该送教上门")
    if not enrolment.is_current:
        raise Refused("该送教上门已结束")
    if not reason.strip():
        raise Refused("请填写结束原因")
    if end_date < enrolment.start_date:
        raise Refused(f"结束日期不能早于开始送教日期（{enrolment.start_date:%Y-%m-%d}）")
    enrolment.end_date, enrolment.end_reason = end_date, reason.strip()
    enrolment.save()
    return enrolment


@transaction.atomic
def record_visit(
    *,
    user,
    enrolment: HomeTeaching,
    taught_on: datetime.date,
    content: str,
    teacher: str = "",
    hours: Decimal | None = None,
    today: datetime.date | None = None,
) -> HomeTeachingVisit:
    """Record one visit of a current enrolment: on a day from its start to today, with what was taught (the
    enrolment's teacher unless another came)."""
    today = today or timezone.localdate()
    visit = HomeTeachingVisit(enrolment=enrolment)
    _check(user, visit, "add", "录入送教记录")
    if not in_scope(user, enrolment, "view"):
        raise Refused("该送教对象不在您的管辖范围内")
    if taught_on > today:
        raise Refused("送教日期不能晚于今天")
    if taught_on < enrolment.start_date or (enrolment.end_date and taught_on > enrolment.end_date):
        raise Refused("送教日期不在该对象的送教期间内")
    if not content.strip():
        raise Refused("请填写送教内容")
    visit.taught_on, visit.content, visit.hours = taught_on, content.strip(), hours
    visit.teacher = teacher.strip() or enrolment.teacher
    visit.recorded_by = user if getattr(user, "pk", None) else None
    visit.save()
    return visit
