"""How a hit's figures show on a page: ID numbers, phones and birth dates masked for every reader (as in every list;
the county admin's Excel report has them in full), incomes and health for roles that may see them only."""

from __future__ import annotations

from shoudi.core.masking import kind_of_label, mask_text, mask_value
from shoudi.core.scope import user_can
from shoudi.registry.models import Member
from shoudi.work import choices as wc

__all__ = ["may_see_details", "message_for", "shown_figures"]


def may_see_details(user) -> bool:
    """Incomes and health in figures: for the roles that may unmask members (not the inspector, departments)."""
    return user_can(user, Member, "unmask")


def shown_figures(figures: dict, user, *, details: bool | None = None) -> dict:
    details = may_see_details(user) if details is None else details
    shown = {}
    for key, value in (figures or {}).items():
        kind = kind_of_label(key)
        if kind is None:
            shown[key] = mask_text(value)
        elif kind == "hidden" and details:
            shown[key] = value
        else:
            shown[key] = mask_value(kind, value) if value not in (None, "") else value
    return shown


def message_for(hit, user, *, details: bool | None = None) -> str:
    rule = hit.rule_object
    figures = shown_figures(hit.figures, user, details=details)
    return rule.render(figures) if rule is not None else "；".join(f"{k}：{v}" for k, v in figures.items())


def status_label(hit) -> str:
    """What a hit's row says of it: from its problem while it is current (待整改, 申请销号, 待乡镇确认不是问题,
    不是问题), else what the runs made of it (已整改, or history)."""
    problem = hit.problem
    if hit.active and problem is not None:
        if problem.state == wc.APPLIED and problem.outcome == wc.NOT_A_PROBLEM:
            return "待乡镇确认不是问题"
        if problem.state == wc.CLOSED:
            return "不是问题" if problem.outcome == wc.NOT_A_PROBLEM else "已销号"
        return "待整改" if problem.state in wc.RUNNING_STATES else problem.get_state_display()
    if hit.state == hit.FIXED:
        return "已整改"
    return f"{hit.get_state_display()}（已失效）"
