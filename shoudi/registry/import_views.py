"""The household import pages: upload → the preview job → the preview (per village, errors, missing members and
regions) → commit job; and the national-format export of the user's region as a job."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shoudi.core.forms import StyledForm
from shoudi.core.jobs import retry_job, start_job
from shoudi.core.models import Job, Synonym
from shoudi.core.scope import get_object_for, user_can
from shoudi.core.synonyms import add_synonym
from shoudi.core.uploads import LimitedFileField
from shoudi.core.vocabulary import vocabulary
from shoudi.regions.models import Region

from .jobs import pending_steps
from .models import Household, HouseholdImport


class UploadForm(StyledForm):
    file = LimitedFileField(
        label="国家系统导出的农户信息（Excel）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls"})
    )
    income_year = forms.IntegerField(
        label="收入年度（留空：取文件标题中的年度）", required=False, min_value=2015, max_value=2100
    )


def import_upload(request):
    if not user_can(request.user, Household, "import"):
        raise PermissionDenied("您的角色不能导入农户信息")
    if not request.user.is_superuser and not (request.user.region_id and request.user.region.code):
        raise PermissionDenied("您的账号尚未分配区划，不能导入农户信息")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xls")):
            form.add_error("file", "请上传国家系统导出的 Excel 文件（.xlsx 或 .xls）")
        else:
            record = HouseholdImport(
                token=secrets.token_hex(16),
                file_name=upload.name[:200],
                user=request.user,
                region_code=request.user.region.code if request.user.region_id else "",
                income_year=form.cleaned_data["income_year"],
            )
            # the job is enqueued when this block commits: it finds the record complete
            with transaction.atomic():
                record.file.save(
                    f"upload{'.xlsx' if upload.name.lower().endswith('.xlsx') else '.xls'}", upload, save=True
                )
                _start(record, "registry.import_preview", "preview_job", f"检查：{record.file_name}")
            return redirect(record)
    recent = HouseholdImport.objects.restrict(request.user, "view").filter(user=request.user)[:10]
    return render(request, "registry/import_upload.html", {"title": "导入农户信息", "form": form, "recent": recent})


def import_detail(request, pk):
    record = get_object_for(
        request.user,
        HouseholdImport.objects.filter(user=request.user)
        if not request.user.is_superuser
        else HouseholdImport.objects.all(),
        "view",
        pk=pk,
    )
    job = record.commit_job or record.preview_job
    template = "registry/import_detail.html"
    if request.htmx:
        template += "#import-state"
    steps_job = record.steps_job or record.commit_job
    # committed, and the job running the steps after the commit has not finished them: running, or one failed
    pending = (
        pending_steps(record.steps_done)
        if record.status == HouseholdImport.COMMITTED and steps_job is not None and steps_job.status != Job.SUCCEEDED
        else []
    )
    return render(
        request,
        template,
        {
            "title": f"导入农户信息：{record.file_name}",
            "record": record,
            "job": job,
            "preview": record.preview,
            "result": record.result,
            "can_create_regions": user_can(request.user, Region, "add"),
            "steps_job": steps_job,
            "steps_pending": pending,
            "steps_failed": bool(pending) and steps_job.status == Job.FAILED,
            "steps_running": bool(pending) and steps_job.status in (Job.QUEUED, Job.RUNNING),
            "can_retry": record.user_id == request.user.pk and user_can(request.user, Job, "add"),
            "unknown_values": _unknown_values(request.user, record),
        },
    )


def _unknown_values(user, record: HouseholdImport) -> list[dict]:
    """The preview's unknown values, each with the terms it may be added as a synonym of (for a county admin)."""
    data = record.result or record.preview or {}
    can_add = record.status == HouseholdImport.PREVIEWED and user_can(user, Synonym, "add")
    rows = []
    for item in data.get("unknown_values", []):
        try:
            table = vocabulary(item["vocabulary"])
        except KeyError:
            table = None
        rows.append({**item, "choices": table.choices() if (can_add and table) else []})
    return rows


@require_POST
def import_add_synonym(request, pk):
    """添加为同义词 from the preview: the value becomes a synonym, and the file is checked again with it."""
    record = get_object_for(request.user, HouseholdImport.objects.filter(user=request.user), "view", pk=pk)
    if record.status != HouseholdImport.PREVIEWED:
        messages.error(request, "该文件当前不能重新检查（请等待检查完成，或已经导入）")
        return redirect(record)
    try:
        synonym = add_synonym(
            user=request.user,
            vocabulary=request.POST.get("vocabulary", ""),
            text=request.POST.get("text", ""),
            value=request.POST.get("value", ""),
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(record)
    with transaction.atomic():
        record.status = HouseholdImport.PREVIEWING
        record.save(update_fields=["status"])
        _start(record, "registry.import_preview", "preview_job", f"检查：{record.file_name}")
    name = vocabulary(synonym.vocabulary).name_of(synonym.value)
    messages.success(request, f"已把“{synonym.text}”添加为“{name}”的同义词，正在按新码表重新检查")
    return redirect(record)


@require_POST
def import_commit(request, pk):
    record = get_object_for(request.user, HouseholdImport.objects.filter(user=request.user), "view", pk=pk)
    if record.status != HouseholdImport.PREVIEWED:
        messages.error(request, "该文件当前不能导入（请等待检查完成，或已经导入）")
        return redirect(record)
    create = request.POST.get("create_regions") == "1" and user_can(request.user, Region, "add")
    with transaction.atomic():
        if create != record.create_regions:
            # creating regions changes what the import does: check again with that choice first
            record.create_regions = create
            record.status = HouseholdImport.PREVIEWING
            record.save(update_fields=["create_regions", "status"])
            _start(record, "registry.import_preview", "preview_job", f"检查：{record.file_name}")
            messages.info(request, "已按“新建缺少的乡镇/村”重新检查，请确认后再导入")
            return redirect(record)
        # one commit job per import, however often the button is pressed: only the request that moves the import
        # from previewed to committing starts it (a second one finds it no longer previewed)
        claimed = HouseholdImport.objects.filter(pk=record.pk, status=HouseholdImport.PREVIEWED).update(
            status=HouseholdImport.COMMITTING
        )
        if not claimed:
            messages.error(request, "该文件已在导入中，请勿重复提交")
            return redirect(record)
        record.status = HouseholdImport.COMMITTING
        _start(record, "registry.import_commit", "commit_job", f"导入：{record.file_name}")
    return redirect(record)


@require_POST
def import_retry_steps(request, pk):
    """重试后续步骤: the steps job runs only the steps left (the commit job keeps its log and error report)."""
    record = get_object_for(request.user, HouseholdImport.objects.filter(user=request.user), "view", pk=pk)
    last = record.steps_job or record.commit_job
    if (
        record.status != HouseholdImport.COMMITTED
        or last is None
        or last.status != Job.FAILED
        or not pending_steps(record.steps_done)
    ):
        messages.error(request, "该导入没有需要重试的后续步骤")
        return redirect(record)
    with transaction.atomic():
        if record.steps_job is not None:
            retry_job(job=record.steps_job, user=request.user)
        else:
            _start(record, "registry.import_steps", "steps_job", f"导入后续步骤：{record.file_name}")
    messages.info(request, "已重新运行未完成的后续步骤")
    return redirect(record)


def _start(record: HouseholdImport, kind: str, field: str, title: str) -> None:
    """Start the job inside the caller's transaction (it runs after the commit) and keep it on the record."""
    setattr(record, field, start_job(kind=kind, user=record.user, params={"import_id": record.pk}, title=title))
    record.save(update_fields=[field])


@require_POST
def export_national(request):
    """Export the user's (or the picked) region in the national format, as a job with a download."""
    from shoudi.core.views.generic import picked_region_code

    if not user_can(request.user, Household, "export"):
        raise PermissionDenied("您的角色无权导出农户信息")
    code = picked_region_code(request) or (request.user.region.code if request.user.region_id else "")
    if not code:
        raise PermissionDenied("请先选择区划")
    job = start_job(
        kind="registry.export",
        user=request.user,
        params={"region_code": code, "all_columns": bool(request.POST.get("all_columns"))},
        title=f"导出农户信息（{Region.objects.get(code=code).name}）",
    )
    return redirect(job.get_absolute_url())
