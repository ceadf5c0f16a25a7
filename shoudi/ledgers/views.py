"""台账中心: every ledger with its row count in the user's scope, a ledger's page with a preview, the download
(streamed when small, a background job when large) and the county admin's own copies."""

from __future__ import annotations

import datetime
import tempfile

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shoudi.core.jobs import start_job
from shoudi.core.scope import get_object_for, in_scope, user_can
from shoudi.core.views.generic import picked_region_code
from shoudi.regions.models import Region

from .engine import (
    Ledger,
    LedgerError,
    available_ledgers,
    count_rows,
    file_name,
    get_definition,
    log_export,
    make_context,
    preview,
    resolve,
    subtitle_of,
    write_xlsx,
)
from .forms import LedgerForm
from .models import SavedLedger

__all__ = ["center", "copy_ledger", "delete_saved", "detail", "download", "edit_saved"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS = 20


def job_threshold() -> int:
    """Ledgers with more rows than this are written by the job worker (settings.SHOUDI_LEDGER_JOB_ROWS)."""
    return int(getattr(settings, "SHOUDI_LEDGER_JOB_ROWS", 20_000))


def _require(request, action: str) -> None:
    if not user_can(request.user, SavedLedger, action):
        raise PermissionDenied("您的角色无权使用台账" if action == "view" else "您的角色无权进行此操作")


def _ledger(request, name: str) -> Ledger:
    try:
        ledger = resolve(name, request.user)
    except LedgerError as exc:
        raise Http404(str(exc)) from None
    if not user_can(request.user, ledger.definition.model, "view"):
        raise PermissionDenied("您的角色无权查看此台账的数据")
    return ledger


def _region_code(request) -> str:
    return (request.POST.get("region") or request.GET.get("region") or picked_region_code(request)).strip()


def _raw_params(request, ledger: Ledger) -> dict:
    data = request.POST if request.method == "POST" else request.GET
    return {p.key: data.get(p.key, "") for p in ledger.definition.params}


def _context(request, ledger: Ledger):
    try:
        return make_context(ledger, request.user, _region_code(request), _raw_params(request, ledger))
    except LedgerError as exc:
        messages.error(request, str(exc))
        return make_context(ledger, request.user, _region_code(request))


def center(request):
    """Every ledger the user may open, with its row count in his scope (one COUNT each) and a download button."""
    _require(request, "view")
    items = []
    threshold = job_threshold()
    region_code = picked_region_code(request)
    counts, counted_at = _recent_counts(request.user, region_code)
    for ledger in available_ledgers(request.user):
        key = _count_key(ledger)
        if key not in counts:
            counts[key] = count_rows(ledger, make_context(ledger, request.user, region_code))
        count = counts[key]
        items.append(
            {
                "ledger": ledger,
                "count": count,
                "as_job": count > threshold,
                "can_edit": ledger.saved is not None and in_scope(request.user, ledger.saved, "change"),
            }
        )
    left = COUNTS_SECONDS - (timezone.now() - counted_at).total_seconds()  # the minute runs from the first count
    if left > 0:
        cache.set(_counts_cache_key(request.user, region_code), (counts, counted_at), left)
    return render(
        request,
        "ledgers/ledger_center.html",
        {
            "title": "台账中心",
            "standard": [i for i in items if i["ledger"].saved is None],
            "saved": [i for i in items if i["ledger"].saved is not None],
            "can_copy": user_can(request.user, SavedLedger, "add"),
            "can_export": user_can(request.user, SavedLedger, "export"),
            "threshold": threshold,
            "counted_at": counted_at,
        },
    )


COUNTS_SECONDS = 60  # fifteen COUNTs over the county (0.8 s on the demo county) at most once a minute per user


def _counts_cache_key(user, region_code: str) -> str:
    return f"shoudi:ledger-counts:{user.pk}:{region_code}"


def _count_key(ledger: Ledger) -> str:
    """A standard ledger by its code, a county's copy by its id and last change (an edit counts again)."""
    saved = ledger.saved
    return ledger.definition.code if saved is None else f"saved:{saved.pk}:{saved.updated_at.isoformat()}"


def _recent_counts(user, region_code: str) -> tuple[dict, datetime.datetime]:
    """The row counts the centre showed this user for this region less than a minute ago, and when they were made."""
    cached = cache.get(_counts_cache_key(user, region_code))
    return cached if cached is not None else ({}, timezone.now())


def detail(request, name: str):
    """A ledger: what it lists, its parameters, its row count and the first rows as the file will show them."""
    _require(request, "view")
    ledger = _ledger(request, name)
    ctx = _context(request, ledger)
    count = count_rows(ledger, ctx)
    headers, rows = preview(ledger, ctx, PREVIEW_ROWS)
    saved = ledger.saved
    return render(
        request,
        "ledgers/ledger_detail.html",
        {
            "title": ledger.title,
            "ledger": ledger,
            "ctx": ctx,
            "subtitle": subtitle_of(ledger, ctx),
            "params": [(p, p.format(ctx.params[p.key])) for p in ledger.definition.params],
            "count": count,
            "as_job": count > job_threshold(),
            "headers": headers,
            "rows": rows,
            "hidden_columns": [c.label for c in ledger.columns if c not in ledger.visible_columns(ctx)],
            "can_export": user_can(request.user, SavedLedger, "export"),
            "can_copy": user_can(request.user, SavedLedger, "add"),
            "can_edit": saved is not None and in_scope(request.user, saved, "change"),
            "can_delete": saved is not None and in_scope(request.user, saved, "delete"),
        },
    )


@require_POST
def download(request, name: str):
    """The ledger as .xlsx: written at once when small, else started as a job (the user follows it on its page)."""
    _require(request, "export")
    ledger = _ledger(request, name)
    try:
        ctx = make_context(ledger, request.user, _region_code(request), _raw_params(request, ledger))
    except LedgerError as exc:
        messages.error(request, str(exc))
        return redirect("ledgers:ledger_detail", name=ledger.name)
    count = count_rows(ledger, ctx)
    if count > job_threshold():
        params = {p.key: p.format(ctx.params[p.key]) for p in ledger.definition.params}
        job = start_job(
            kind="ledgers.export",
            user=request.user,
            title=f"导出{ledger.title}（{ctx.region_name}）",
            params={"ledger": ledger.name, "region_code": ctx.region_code, "params": params},
        )
        messages.info(
            request, f"“{ledger.title}”共 {count} {ledger.definition.unit}，已转为后台任务导出，完成后可在此下载。"
        )
        return redirect(job.get_absolute_url())
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it once sent)
    written = write_xlsx(ledger, ctx, handle)
    log_export(ledger, ctx, written, request=request)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=file_name(ledger, ctx), content_type=XLSX)


# --- the county's own ledgers ----------------------------------------------------------------------------------------


def _county_of(request) -> Region:
    code = picked_region_code(request) or (request.user.region.code if request.user.region_id else "")
    county = Region.objects.filter(code=code[:6], level="county").first() if code else None
    if county is None:
        raise PermissionDenied("请先在页面顶部选择一个县")
    return county


def _form_page(request, form: LedgerForm, *, title: str, cancel_url: str, status: int = 200):
    return render(
        request,
        "ledgers/ledger_form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": cancel_url,
            "definition": form.definition,
        },
        status=status,
    )


def _save(request, form: LedgerForm, saved: SavedLedger, action: str):
    """Save the copy; roll back when it would fall outside the user's scope (as every edit is re-checked)."""
    saved.title = form.cleaned_data["title"]
    saved.grouped = form.cleaned_data["grouped"]
    saved.columns = form.selected_columns()
    saved.filters = form.filter_values()
    with transaction.atomic():
        saved.save()
        refused = not in_scope(request.user, saved, action)
        if refused:
            transaction.set_rollback(True)
    if refused:
        raise PermissionDenied("保存后该台账将超出您的管辖范围，操作已撤销。")
    messages.success(request, f"已保存本县台账：{saved.title}")
    return redirect(saved.get_absolute_url())


def copy_ledger(request, name: str):
    """复制为本县台账: start from a standard ledger (or a county copy) and change its columns and filters."""
    _require(request, "add")
    source = _ledger(request, name)
    county = _county_of(request)
    title = f"{source.title}（{county.name}）" if source.saved is None else f"{source.title}（副本）"
    form = LedgerForm(
        request.POST or None,
        definition=source.definition,
        columns=source.column_keys,
        filters=source.filter_values,
        region=county,
        initial={"title": title, "grouped": source.grouped},
    )
    if request.method == "POST" and form.is_valid():
        saved = SavedLedger(region=county, base_code=source.definition.code, created_by=request.user)
        return _save(request, form, saved, "add")
    return _form_page(
        request,
        form,
        title=f"复制为本县台账：{source.title}",
        cancel_url=reverse("ledgers:ledger_detail", args=[source.name]),
    )


def edit_saved(request, pk: int):
    """Change the columns, filters or name of a county's ledger."""
    saved = get_object_for(request.user, SavedLedger.objects.select_related("region"), "change", pk=pk)
    try:
        definition = get_definition(saved.base_code)
    except LedgerError as exc:
        raise Http404(str(exc)) from None
    ledger = Ledger.from_saved(saved)
    form = LedgerForm(
        request.POST or None,
        definition=definition,
        columns=ledger.column_keys,
        filters=ledger.filter_values,
        region=saved.region,
        instance=saved,
        initial={"title": saved.title, "grouped": saved.grouped},
    )
    if request.method == "POST" and form.is_valid():
        return _save(request, form, saved, "change")
    return _form_page(request, form, title=f"修改本县台账：{saved.title}", cancel_url=saved.get_absolute_url())


def delete_saved(request, pk: int):
    """Delete a county's ledger after a confirmation page."""
    saved = get_object_for(request.user, SavedLedger.objects.all(), "delete", pk=pk)
    if request.method == "POST":
        title = saved.title
        saved.delete()
        messages.success(request, f"已删除本县台账：{title}")
        return redirect("ledgers:ledger_center")
    return render(request, "ledgers/ledger_delete.html", {"title": f"删除本县台账：{saved.title}", "saved": saved})
