"""预警筛查 pages, in two steps: the preview (counts per rule and per village, a sample; nothing written), then the
confirmed batch of clues, which can be withdrawn while nobody has acted on its clues."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shoudi.accounts.permissions import region_code_of
from shoudi.core.scope import get_object_for, user_can

from . import screening
from .forms import ScreenForm
from .models import MonitoringLine, ScreeningBatch

__all__ = ["batch_detail", "batch_withdraw", "screen"]

RECENT = 20


def _region_code(user) -> str:
    return region_code_of(user)  # a non-superuser without a region code screens nothing (403), never every county


def screen(request):
    """The year to screen, and the recent batches; starting makes a preview (a job), never clues."""
    if not user_can(request.user, MonitoringLine, "add"):
        raise PermissionDenied("预警筛查由县级管理员发起")
    form = ScreenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch = screening.start_preview(
            user=request.user, year=form.cleaned_data["year"], region_code=_region_code(request.user)
        )
        return redirect(batch.get_absolute_url())
    batches = ScreeningBatch.objects.restrict(request.user, "view").select_related("created_by")[:RECENT]
    return render(request, "monitoring/screen.html", {"form": form, "title": "预警筛查", "batches": batches})


def _rule_rows(counts: dict) -> list[dict]:
    hits, kept = counts.get("hits", {}), counts.get("per_rule", {})
    return [
        {"code": code, "label": label, "hits": hits.get(code, 0), "clues": kept.get(code, 0)}
        for code, label in screening.RULES.items()
    ]


def batch_detail(request, pk):
    """A batch: while its job runs, the progress; a preview with the choice of rules and villages to confirm; a
    created batch with its counts and the withdrawal."""
    batch = get_object_for(request.user, ScreeningBatch.objects.select_related("job", "created_by"), "view", pk=pk)
    if request.method == "POST":
        rules = request.POST.getlist("rule")
        villages = [] if request.POST.get("all_villages") else request.POST.getlist("village")
        if not request.POST.get("all_villages") and not villages:
            messages.error(request, "请至少选择一个行政村，或勾选“全部行政村”")
            return redirect(batch.get_absolute_url())
        try:
            batch = screening.confirm_batch(batch=batch, user=request.user, rules=rules, villages=villages)
        except screening.ScreeningRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已确认，正在生成监测线索")
        return redirect(batch.get_absolute_url())
    counts = batch.counts or {}
    running = batch.job is not None and not batch.job.is_finished
    chosen = set(batch.rules)
    return render(
        request,
        "monitoring/screening_batch.html",
        {
            "title": str(batch),
            "batch": batch,
            "counts": counts,
            "running": running,
            "rules": _rule_rows(counts),
            "rule_labels": list(screening.RULES.values()),
            "chosen_rules": chosen,
            "chosen_labels": [label for code, label in screening.RULES.items() if code in chosen],
            "chosen_villages": set(batch.villages),
            "withdrawable": screening.untouched_clues(batch).count() if batch.status == batch.CREATED else 0,
        },
    )


@require_POST
def batch_withdraw(request, pk):
    batch = get_object_for(request.user, ScreeningBatch.objects.all(), "view", pk=pk)
    try:
        batch = screening.withdraw_batch(batch=batch, user=request.user)
    except screening.ScreeningRefused as exc:
        messages.error(request, str(exc))
    else:
        kept = f"；{batch.kept_count} 条已有人办理，予以保留" if batch.kept_count else ""
        messages.success(request, f"已撤回 {batch.withdrawn_count} 条线索{kept}")
    return redirect(batch.get_absolute_url())
