"""Which change fixed a hit: the latest change-log entry of its subject (the member, the case) or of its household
and what is filed under it (members, incomes, cases, measures) since the hit was found."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from shoudi.core.changes import attach_diffs
from shoudi.core.models import ObjectChange
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Household, Member

from .rules.base import CASE, MEMBER

__all__ = ["change_text", "fixing_changes"]

CHUNK = 400
NOT_FOUND = "复查未再发现该问题（未找到对应的变更记录，可能为系统外修改后重新导入）"


def fixing_changes(hits: Iterable, subject: str) -> dict[int, ObjectChange]:
    """hit id → the change that most likely fixed it (its subject's own latest change, else its household's)."""
    hits = list(hits)
    if not hits:
        return {}
    household_type = ContentType.objects.get_for_model(Household)
    subject_type = {
        MEMBER: ContentType.objects.get_for_model(Member),
        CASE: ContentType.objects.get_for_model(MonitoringCase),
    }.get(subject)
    found: dict[int, ObjectChange] = {}
    for start in range(0, len(hits), CHUNK):
        part = hits[start : start + CHUNK]
        since = min(hit.found_at for hit in part)
        households = sorted({str(hit.household_id) for hit in part})
        about = Q(content_type=household_type, object_id__in=households) | Q(
            parent_content_type=household_type, parent_object_id__in=households
        )
        changes = list(
            ObjectChange.objects.filter(about, time__gte=since).select_related("content_type").order_by("time", "pk")
        )
        latest_of_household: dict[str, list[ObjectChange]] = {}
        for change in changes:
            household = change.object_id if change.content_type_id == household_type.pk else change.parent_object_id
            latest_of_household.setdefault(household, []).append(change)
        for hit in part:
            candidates = [c for c in latest_of_household.get(str(hit.household_id), ()) if c.time >= hit.found_at]
            own = [
                c
                for c in candidates
                if subject_type is not None
                and c.content_type_id == subject_type.pk
                and c.object_id == str(hit.subject_pk)
            ]
            chosen = (own or candidates)[-1:]
            if chosen:
                found[hit.pk] = chosen[0]
    attach_diffs(found.values())
    return found


def _shown(value) -> str:
    return "（空）" if value in (None, "") else str(value)


def change_text(change: ObjectChange | None) -> str:
    """The change that fixed a hit, as the problem's closing step names it."""
    if change is None:
        return NOT_FOUND
    when = timezone.localtime(change.time).strftime("%Y-%m-%d %H:%M")
    diff = "；".join(f"{label}：{_shown(before)} → {_shown(after)}" for label, before, after in change.diff()[:3])
    text = f"{when} {change.user_name or '系统'}{change.get_action_display()}“{change.object_repr}”"
    return (text + (f"（{diff}）" if diff else ""))[:280]
