"""The identification and risk-elimination chains. Every step is a service: keyword-only arguments, atomic, the
case locked (``select_for_update``) while the allowed step, role and scope are checked, an event on the timeline
and a row in the change log. A refusal raises ``TransitionRefused`` with a Chinese reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from shoudi.accounts.roles import CADRE, COUNTY_ADMIN, DEPARTMENT, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core import notifications
from shoudi.core.dates import months_between
from shoudi.core.registry import registry
from shoudi.registry.models import Household

from . import choices as c
from .materials import missing_materials
from .models import CaseAttachment, CaseEvent, MonitoringCase, Objection
from .policy import line_for, settings_for

__all__ = [
    "EliminationCheck",
    "TransitionRefused",
    "add_attachment",
    "add_objection",
    "allowed_actions",
    "apply_elimination",
    "county_review",
    "elimination_check",
    "mark_no_labour_guarantee",
    "open_clue",
    "publicize",
    "reject",
    "resolve_objection",
    "reverse_elimination",
    "submit_after_publicity",
    "township_review",
    "verify",
    "village_review",
]


class TransitionRefused(Exception):
    """The step cannot be taken; ``str(exc)`` says why, in Chinese."""


CLUE_ROLES = {VILLAGE_OFFICER, CADRE, TOWNSHIP_REVIEWER, COUNTY_ADMIN, DEPARTMENT}
STEP_ROLES = {
    c.VERIFICATION: {VILLAGE_OFFICER, CADRE},
    c.VILLAGE_REVIEW: {VILLAGE_OFFICER},
    c.PUBLICITY: {VILLAGE_OFFICER},
    c.TOWNSHIP_REVIEW: {TOWNSHIP_REVIEWER},
    c.COUNTY_REVIEW: {COUNTY_ADMIN},
}
ELIMINATION_APPLY_ROLES = {CADRE, VILLAGE_OFFICER}
REVERSAL_ROLES = {VILLAGE_OFFICER, CADRE, TOWNSHIP_REVIEWER, COUNTY_ADMIN}
PREVIOUS_STEP = {
    c.VILLAGE_REVIEW: c.VERIFICATION,
    c.PUBLICITY: c.VILLAGE_REVIEW,
    c.TOWNSHIP_REVIEW: c.PUBLICITY,
    c.COUNTY_REVIEW: c.TOWNSHIP_REVIEW,
}

# --- helpers ---------------------------------------------------------------------------------------------------


def _role(user) -> str:
    return "superuser" if user.is_superuser else user.role


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "系统"


def _lock(case: MonitoringCase, user) -> MonitoringCase:
    locked = MonitoringCase.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None or not MonitoringCase.objects.restrict(user, "view").filter(pk=case.pk).exists():
        raise TransitionRefused("该监测对象不存在或不在您的管辖范围内")
    return locked


def _require(case: MonitoringCase, user, *, steps: Iterable[str], roles: set[str], chain: str | None = None):
    if case.step not in steps or (chain is not None and case.chain != chain):
        raise TransitionRefused(f"该户当前环节为「{case.step_label}」，不能进行此操作（可能已被他人处理，请刷新页面）")
    if not user.is_superuser and user.role not in roles:
        raise TransitionRefused(f"「{case.step_label}」环节不由{user.role_label}办理")


def _event(case, user, action: str, *, decision: str = "", note: str = "", data: dict | None = None) -> CaseEvent:
    # every transition writes its event: the figures kept of cases (dashboards) hear of it after the commit
    notifications.changed("cases", household_ids=[case.household_id])
    return CaseEvent.objects.create(
        case=case,
        chain=case.chain,
        step=case.step,
        action=action,
        decision=decision,
        note=note,
        data=data or {},
        user=user if user is not None else None,
        user_name=_name(user),
    )


def _move(case: MonitoringCase, step: str, *, chain: str | None = None, returned_reason: str = "") -> None:
    case.step = step
    if chain is not None:
        case.chain = chain
    case.step_since = timezone.now()
    case.is_open = step not in c.CLOSED_STEPS
    case.returned_reason = returned_reason


def _clean_risks(risk_types: Iterable[str]) -> list[str]:
    risks = []
    for written in risk_types or ():
        known = c.risk_of(written)
        if known is None:
            raise TransitionRefused(f"风险类型「{written.strip()}」不在规定范围内")
        risk = known[0]
        if risk not in risks:
            risks.append(risk)
    if len(risks) > 5:
        raise TransitionRefused("致贫/返贫风险最多填写 5 项")
    return risks


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


# --- identification chain --------------------------------------------------------------------------------------


@transaction.atomic
def open_clue(
    *,
    household: Household,
    user,
    source: str,
    risk_types: Iterable[str] = (),
    category: str = "",
    clue_date: datetime.date | None = None,
    note: str = "",
    rules: Iterable[str] = (),
    figures: dict | None = None,
    previous_case: MonitoringCase | None = None,
) -> MonitoringCase:
    """A clue (线索) about a household: the start of the identification chain (next: 入户核实)."""
    if user is not None:
        if not user.is_superuser and user.role not in CLUE_ROLES:
            raise TransitionRefused(f"{user.role_label}不能提出监测线索")
        if not Household.objects.restrict(user, "view").filter(pk=household.pk).exists():
            raise TransitionRefused("该户不在您的管辖范围内")
    if source not in dict(c.SOURCES):
        raise TransitionRefused("请选择发现方式")
    if category and category not in c.CATEGORY_VALUES:
        raise TransitionRefused(f"监测对象类别「{category}」不在规定范围内")
    if MonitoringCase.objects.filter(household=household, is_open=True).exists():
        raise TransitionRefused("该户已有进行中的监测记录（线索或监测对象），不能重复提出")
    case = MonitoringCase(
        household=household,
        source=source,
        category=category,
        risk_types=_clean_risks(risk_types),
        clue_date=clue_date or timezone.localdate(),
        clue_note=note,
        clue_rules=list(rules),
        clue_figures=figures or {},
        previous_case=previous_case,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise TransitionRefused("该户已有进行中的监测记录（线索或监测对象），不能重复提出") from None
    _event(case, user, "提出线索", note=note, data={"source": source, "rules": list(rules)})
    return case


@transaction.atomic
def verify(
    *,
    case: MonitoringCase,
    user,
    visited_on: datetime.date,
    findings: str,
    signed: bool,
    authorization_file=None,
    checklist: dict | None = None,
) -> MonitoringCase:
    """入户核实 (identification) or 入户核查 (elimination).

    Identification: the household signs the 承诺授权书 (the file is attached), or its refusal is recorded and ends
    the case. Elimination: the checklist is recorded and must be signed by the household; a failed item sends the
    case back to monitoring.
    """
    case = _lock(case, user)
    _require(case, user, steps=[c.VERIFICATION], roles=STEP_ROLES[c.VERIFICATION])
    if case.chain == c.IDENTIFICATION:
        if not signed:
            _event(
                case,
                user,
                "入户核实",
                decision="农户未签署承诺授权书",
                note=findings,
                data={"visited_on": str(visited_on)},
            )
            _move(case, c.REFUSED)
            case.closed_reason = "农户未签署承诺授权书，不予纳入"
            case.save()
            return case
        has_file = authorization_file is not None or case.attachments.filter(kind="承诺授权书").exists()
        if not has_file:
            raise TransitionRefused("请上传农户签字的承诺授权书")
        if authorization_file is not None:
            CaseAttachment.objects.create(
                case=case, kind="承诺授权书", file=authorization_file, step=case.step, uploaded_by=user
            )
        _event(case, user, "入户核实", decision="已签署承诺授权书", note=findings, data={"visited_on": str(visited_on)})
        _move(case, c.VILLAGE_REVIEW)
        case.save()
        return case
    checklist = {k: bool(v) for k, v in (checklist or {}).items()}
    if not signed:
        raise TransitionRefused("入户核查结果须经监测户签字认可")
    failed = [ELIMINATION_CHECKLIST[k] for k in ELIMINATION_CHECKLIST if not checklist.get(k)]
    _event(
        case,
        user,
        "入户核查",
        decision="核查未通过" if failed else "核查通过",
        note=findings,
        data={"visited_on": str(visited_on), "checklist": checklist},
    )
    if failed:
        return _back_to_monitoring(case, "入户核查未通过：" + "、".join(failed))
    _move(case, c.VILLAGE_REVIEW)
    case.save()
    return case


ELIMINATION_CHECKLIST = {
    "income_above_line": "人均纯收入稳定高于监测线",
    "guarantees_secure": "“三保障”和饮水安全有保障",
    "rigid_costs_resolved": "刚性支出问题已解决",
    "measures_implemented": "帮扶措施已落实",
}


@transaction.atomic
def village_review(
    *,
    case: MonitoringCase,
    user,
    held_on: datetime.date,
    participants: str,
    approve: bool,
    note: str = "",
    category: str | None = None,
    risk_types: Iterable[str] | None = None,
):
    """村级研判/民主评议: the village decides; identification needs the category and 1–5 risk types."""
    case = _lock(case, user)
    _require(case, user, steps=[c.VILLAGE_REVIEW], roles=STEP_ROLES[c.VILLAGE_REVIEW])
    if not participants.strip():
        raise TransitionRefused("请填写参加评议人员")
    data = {"held_on": str(held_on), "participants": participants}
    if case.chain == c.IDENTIFICATION:
        if not approve:
            _event(case, user, "村级研判", decision="不予纳入", note=note, data=data)
            return _close_rejected(case, note or "村级研判不予纳入")
        if category is not None:
            if category not in c.CATEGORY_VALUES:
                raise TransitionRefused("请选择监测对象类别")
            case.category = category
        if risk_types is not None:
            case.risk_types = _clean_risks(risk_types)
        if not case.category:
            raise TransitionRefused("请选择监测对象类别")
        if not 1 <= len(case.risk_types) <= 5:
            raise TransitionRefused("请选择 1 至 5 项致贫/返贫风险")
        _event(case, user, "村级研判", decision="同意纳入", note=note, data=data)
    else:
        if not approve:
            _event(case, user, "村级评议", decision="不同意消除", note=note, data=data)
            return _back_to_monitoring(case, note or "村级评议不同意消除")
        _event(case, user, "村级评议", decision="同意消除", note=note, data=data)
    _move(case, c.PUBLICITY)
    case.publicity_start = case.publicity_end = None
    case.save()
    return case


@transaction.atomic
def publicize(
    *, case: MonitoringCase, user, start: datetime.date, end: datetime.date, note: str = "", photo=None
) -> MonitoringCase:
    """公示: record its start and end; shorter than the configured days (default 5) is refused."""
    case = _lock(case, user)
    _require(case, user, steps=[c.PUBLICITY], roles=STEP_ROLES[c.PUBLICITY])
    required = settings_for(case.household.village.code, start.year).publicity_days
    days = (end - start).days + 1
    if days < required:
        raise TransitionRefused(f"公示期不少于 {required} 天（本次 {max(days, 0)} 天）")
    case.publicity_start, case.publicity_end = start, end
    if photo is not None:
        CaseAttachment.objects.create(case=case, kind="公示照片", file=photo, step=case.step, uploaded_by=user)
    case.save()
    _event(
        case,
        user,
        "公示",
        decision=f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}",
        note=note,
        data={"start": str(start), "end": str(end), "days": days},
    )
    return case


@transaction.atomic
def add_objection(*, case: MonitoringCase, user, content: str, received_on: datetime.date | None = None):
    case = _lock(case, user)
    _require(case, user, steps=[c.PUBLICITY], roles=STEP_ROLES[c.PUBLICITY])
    if not content.strip():
        raise TransitionRefused("请填写异议内容")
    objection = Objection.objects.create(
        case=case, chain=case.chain, content=content, received_on=received_on or timezone.localdate()
    )
    _event(case, user, "收到公示异议", note=content)
    return objection


@transaction.atomic
def resolve_objection(*, objection: Objection, user, resolution: str) -> Objection:
    case = _lock(objection.case, user)
    _require(case, user, steps=[c.PUBLICITY], roles=STEP_ROLES[c.PUBLICITY])
    if not resolution.strip():
        raise TransitionRefused("请填写异议处理结果")
    objection.resolution, objection.resolved_on, objection.resolved_by = resolution, timezone.localdate(), user
    objection.save()
    _event(case, user, "处理公示异议", note=resolution, data={"objection": objection.content[:100]})
    return objection


@transaction.atomic
def submit_after_publicity(*, case: MonitoringCase, user, today: datetime.date | None = None) -> MonitoringCase:
    """公示期满、异议处理完毕后报乡镇审核."""
    case = _lock(case, user)
    _require(case, user, steps=[c.PUBLICITY], roles=STEP_ROLES[c.PUBLICITY])
    today = _today(today)
    if case.publicity_end is None:
        raise TransitionRefused("请先登记公示起止日期")
    if today <= case.publicity_end:
        raise TransitionRefused(f"公示期至 {case.publicity_end:%Y-%m-%d} 结束，期满后方可报乡镇审核")
    if case.objections.filter(chain=case.chain, resolved_on__isnull=True).exists():
        raise TransitionRefused("还有未处理的公示异议")
    _event(case, user, "公示期满报审")
    _move(case, c.TOWNSHIP_REVIEW)
    case.save()
    return case


def _materials_checked(case: MonitoringCase, *, missing_confirmed: bool) -> dict:
    """A review passes a case without its 入户核实, 公示 or 承诺授权书 on record only when the reviewer confirms he
    has checked it; the confirmation goes into the event."""
    missing = missing_materials(case)
    if missing and not missing_confirmed:
        raise TransitionRefused(f"缺少{'、'.join(missing)}：请核对后勾选“已逐项核对，缺少材料仍予通过”，或退回补充")
    return {"missing_confirmed": missing} if missing else {}


@transaction.atomic
def township_review(
    *, case: MonitoringCase, user, approve: bool, note: str = "", missing_confirmed: bool = False
) -> MonitoringCase:
    """乡镇审核: approve (to the county) or return one step with the reason. Missing materials need
    ``missing_confirmed``."""
    case = _lock(case, user)
    _require(case, user, steps=[c.TOWNSHIP_REVIEW], roles=STEP_ROLES[c.TOWNSHIP_REVIEW])
    if approve:
        data = _materials_checked(case, missing_confirmed=missing_confirmed)
        _event(case, user, "乡镇审核", decision="审核通过", note=note, data=data)
        _move(case, c.COUNTY_REVIEW)
    else:
        _return(case, user, "乡镇审核", note)
    case.save()
    return case


@transaction.atomic
def county_review(
    *,
    case: MonitoringCase,
    user,
    approve: bool,
    note: str = "",
    decided_on: datetime.date | None = None,
    elimination_type: str = "",
    missing_confirmed: bool = False,
) -> MonitoringCase:
    """县级审定 (identified from that day) or 县级确定 of an elimination (eliminated from that day). Missing
    materials need ``missing_confirmed``."""
    case = _lock(case, user)
    _require(case, user, steps=[c.COUNTY_REVIEW], roles=STEP_ROLES[c.COUNTY_REVIEW])
    decided_on = _today(decided_on)
    if not approve:
        _return(case, user, "县级审定" if case.chain == c.IDENTIFICATION else "县级确定", note)
        case.save()
        return case
    data = _materials_checked(case, missing_confirmed=missing_confirmed)
    if case.chain == c.IDENTIFICATION:
        _event(case, user, "县级审定", decision="审定纳入", note=note, data=data)
        case.identified_on = decided_on
        _move(case, c.MONITORING)
    else:
        check = elimination_check(case, today=decided_on)
        if check.blocking:
            raise TransitionRefused("不能确定风险消除：" + "；".join(check.blocking))
        if elimination_type:
            case.elimination_type = elimination_type
        _event(
            case,
            user,
            "县级确定",
            decision="风险消除",
            note=note,
            data={"elimination_type": case.elimination_type, **data},
        )
        case.eliminated_on = decided_on
        _move(case, c.ELIMINATED)
    case.save()
    return case


def _return(case: MonitoringCase, user, action: str, note: str) -> None:
    if not note.strip():
        raise TransitionRefused("退回须填写原因")
    _event(case, user, action, decision="退回", note=note)
    _move(case, PREVIOUS_STEP[case.step], returned_reason=f"{action}退回：{note}")


def _close_rejected(case: MonitoringCase, reason: str) -> MonitoringCase:
    _move(case, c.REJECTED)
    case.closed_reason = reason
    case.save()
    return case


def _back_to_monitoring(case: MonitoringCase, reason: str) -> MonitoringCase:
    _move(case, c.MONITORING, chain=c.IDENTIFICATION, returned_reason=reason)
    case.save()
    return case


@transaction.atomic
def reject(*, case: MonitoringCase, user, reason: str) -> MonitoringCase:
    """不予纳入 at any step of identification (by whoever handles that step); in the elimination chain the
    application is refused and the household stays monitored."""
    case = _lock(case, user)
    _require(case, user, steps=c.WORKING_STEPS, roles=STEP_ROLES.get(case.step, set()))
    if not reason.strip():
        raise TransitionRefused("请填写原因")
    if case.chain == c.IDENTIFICATION:
        _event(case, user, "不予纳入", decision="不予纳入", note=reason)
        return _close_rejected(case, reason)
    _event(case, user, "不予消除", decision="不予消除", note=reason)
    return _back_to_monitoring(case, f"不予消除：{reason}")


# --- elimination -------------------------------------------------------------------------------------------------


@dataclass
class EliminationCheck:
    """What the guards say about eliminating the risk today."""

    blocking: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    offer_no_labour_flag: bool = False
    needs_delayed_exit: bool = False


def implemented_measures(household: Household) -> int:
    """Measures implemented for the household, as the assistance app counts them (imported national measures
    become 已落实 measures there)."""
    return sum(fn(household) for fn in registry.entries("measure_counters"))


def guarantee_problems(household: Household) -> list[str]:
    problems = [
        label
        for flag, label in (
            ("housing_secure", "住房安全"),
            ("water_secure", "饮水安全"),
            ("education_secure", "义务教育"),
            ("insurance_secure", "基本医疗保险"),
        )
        if getattr(household, flag) is False
    ]
    # later apps tell the guards what they know (the registry's guarantee_problems store)
    for fn in registry.entries("guarantee_problems"):
        problems.extend(fn(household))
    return problems


def elimination_check(
    case: MonitoringCase, *, today: datetime.date | None = None, delayed_exit_confirmed: bool | None = None
) -> EliminationCheck:
    """Every guard of S001/S003/S004 on eliminating this case's risk, each with a Chinese reason."""
    today = _today(today)
    household = case.household
    region_code = household.village.code
    config = settings_for(region_code, today.year)
    check = EliminationCheck()
    if case.identified_on is None:
        check.blocking.append("尚未完成识别")
    else:
        months = months_between(case.identified_on, today)
        if months < config.min_months_before_elimination:
            check.blocking.append(
                f"识别监测不足 {config.min_months_before_elimination} 个月"
                f"（{case.identified_on:%Y-%m-%d} 识别，已 {max(months, 0)} 个月）"
            )
        elif months < config.warn_months_before_elimination:
            check.warnings.append(
                f"识别监测仅 {months} 个月，不足 {config.warn_months_before_elimination} 个月，请确认收入已稳定"
            )
    if implemented_measures(household) < 1:
        check.blocking.append("尚无已落实的帮扶措施")
    latest = household.incomes.order_by("-year").first()
    if latest is None:
        check.blocking.append("缺少家庭收入数据")
    else:
        line = line_for(region_code, latest.year)
        if line is None:
            check.blocking.append(f"未设置 {latest.year} 年监测线")
        elif latest.per_capita <= line:
            check.blocking.append(f"{latest.year} 年人均纯收入 {latest.per_capita} 元未高于监测线 {line} 元")
    problems = guarantee_problems(household)
    if problems:
        check.blocking.append("“三保障”或饮水安全存在问题：" + "、".join(problems))
    members = [m for m in household.members.all() if m.status == "正常"]
    if members and not any(m.has_labour for m in members):
        check.offer_no_labour_flag = True
        check.blocking.append("家庭成员均无劳动能力，不能标注风险消除，应标注为整户无劳动能力兜底保障户")
    special = any(
        m.dibao in ("农村低保", "城市低保")
        or m.tekun in ("农村特困", "城市特困")
        or "残疾" in m.health
        or m.disability_category
        for m in members
    )
    confirmed = case.delayed_exit_confirmed if delayed_exit_confirmed is None else delayed_exit_confirmed
    if special:
        check.needs_delayed_exit = True
        if not confirmed:
            check.blocking.append("该户享受低保/特困或有残疾成员，按规定应缓退，请确认缓退政策后再申请")
    return check


@transaction.atomic
def apply_elimination(
    *,
    case: MonitoringCase,
    user,
    elimination_type: str = "帮扶消除",
    note: str = "",
    delayed_exit_confirmed: bool = False,
    today: datetime.date | None = None,
) -> MonitoringCase:
    """风险消除申请 by the cadre or the village; refused with every blocking reason of the guards."""
    case = _lock(case, user)
    if case.step != c.MONITORING:
        raise TransitionRefused(f"该户当前环节为「{case.step_label}」，不能申请风险消除")
    if not user.is_superuser and user.role not in ELIMINATION_APPLY_ROLES:
        raise TransitionRefused("风险消除申请由帮扶干部或村级提出")
    if elimination_type not in dict(c.ELIMINATION_TYPES):
        raise TransitionRefused("请选择风险消除方式")
    check = elimination_check(case, today=today, delayed_exit_confirmed=delayed_exit_confirmed)
    if check.blocking:
        raise TransitionRefused("不能申请风险消除：" + "；".join(check.blocking))
    case.elimination_type = elimination_type
    case.delayed_exit_confirmed = delayed_exit_confirmed
    case.elimination_applied_on = _today(today)
    _move(case, c.VERIFICATION, chain=c.ELIMINATION)
    case.save()
    _event(case, user, "申请风险消除", decision=elimination_type, note=note, data={"warnings": check.warnings})
    return case


@transaction.atomic
def mark_no_labour_guarantee(*, household: Household, user, note: str = "") -> Household:
    """整户无劳动能力兜底保障户: offered instead of elimination when nobody in the household can work."""
    if not Household.objects.restrict(user, "change").filter(pk=household.pk).exists():
        raise TransitionRefused("您无权修改该户信息")
    household = Household.objects.select_for_update().get(pk=household.pk)
    household.no_labour_guarantee = True
    household.save()
    case = MonitoringCase.objects.filter(household=household, is_open=True).first()
    if case is not None:
        _event(case, user, "标注整户无劳动能力兜底保障户", note=note)
    return household


@transaction.atomic
def reverse_elimination(
    *, case: MonitoringCase, user, note: str, risk_types: Iterable[str] = (), category: str = "脱贫不稳定户"
) -> MonitoringCase:
    """返贫: an eliminated household at risk again opens a new case linked to the old one."""
    if case.step != c.ELIMINATED:
        raise TransitionRefused("只有风险已消除的监测对象才能标注返贫")
    if not user.is_superuser and user.role not in REVERSAL_ROLES:
        raise TransitionRefused(f"{user.role_label}不能标注返贫")
    if not note.strip():
        raise TransitionRefused("请填写返贫原因")
    new = open_clue(
        household=case.household,
        user=user,
        source="基层干部排查",
        risk_types=risk_types,
        category=category,
        note=f"返贫：{note}",
        previous_case=case,
    )
    _event(case, user, "标注返贫", note=note, data={"new_case": new.pk})
    return new


@transaction.atomic
def add_attachment(*, case: MonitoringCase, user, kind: str, file) -> CaseAttachment:
    """A supporting file (会议记录, 入户核查表 …) added by anyone who may work on the case in scope."""
    if not MonitoringCase.objects.restrict(user, "change").filter(pk=case.pk).exists():
        raise TransitionRefused("您无权为该监测对象上传材料")
    if kind not in dict(CaseAttachment.KINDS):
        raise TransitionRefused("请选择材料类型")
    attachment = CaseAttachment.objects.create(case=case, kind=kind, file=file, step=case.step, uploaded_by=user)
    _event(case, user, "上传材料", note=f"{kind}：{attachment.file.name.rsplit('/', 1)[-1]}")
    return attachment


def allowed_actions(case: MonitoringCase, user) -> set[str]:
    """The actions the case page offers this user now (the services check again when they run)."""
    if not MonitoringCase.objects.restrict(user, "view").filter(pk=case.pk).exists():
        return set()
    role = _role(user)
    actions = set()
    if case.step in STEP_ROLES and (role == "superuser" or role in STEP_ROLES[case.step]):
        actions.add(case.step)
        actions.add("reject")
    if case.step == c.MONITORING and (role == "superuser" or role in ELIMINATION_APPLY_ROLES):
        actions.add("apply_elimination")
    if case.step == c.ELIMINATED and (role == "superuser" or role in REVERSAL_ROLES):
        actions.add("reverse")
    if MonitoringCase.objects.restrict(user, "change").filter(pk=case.pk).exists():
        actions.add("attach")
    return actions
