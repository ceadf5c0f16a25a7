"""Matching pages: runs, the upload with its mapping preview, a run's counts, findings and their verification."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_POST

from shoudi.core.jobs import job_dir, start_job
from shoudi.core.models import Job
from shoudi.core.scope import get_object_for, in_scope, user_can
from shoudi.core.uploads import read_job_data
from shoudi.core.views import ObjectEditView, ObjectListView
from shoudi.core.views.generic import object_history

from . import choices as c
from . import selectors, services
from .filters import FindingFilterSet, RunFilterSet
from .forms import BaseExportForm, ResolveForm, SettingsForm, UploadForm, VerifyForm
from .jobs import stored_layout
from .models import DepartmentList, Finding, ListRow, MatchingSettings, MatchRun
from .reading import validate_mapping
from .sources import get_source
from .tables import FindingTable, RunTable, SettingsTable

UPLOAD_SESSION_KEY = "matching_uploads"
SHOWN_ROWS = 20


# --- runs -------------------------------------------------------------------------------------------------------


class RunListView(ObjectListView):
    queryset = MatchRun.objects.select_related("list", "started_by")
    filterset_class = RunFilterSet
    table_class = RunTable
    title = "部门数据比对"
    template_name = "matching/run_list.html"
    add_url_name = "matching:upload"


def run_detail(request, pk):
    run = get_object_for(
        request.user, MatchRun.objects.select_related("list", "job", "previous_run", "started_by"), "view", pk=pk
    )
    source = get_source(run.department)
    rules = []
    for rule in source.all_rules:
        row = run.counts.get(rule.code)
        if row is not None:
            rules.append({"code": rule.code, **row})
    not_in_registry = run.counts.get("not_in_registry", {}).get("hits", 0)
    absent_rows = ListRow.objects.filter(list=run.list, not_in_registry=True).order_by("row")[:SHOWN_ROWS]
    shows_findings = run.status in (c.PREVIEW, c.SUCCEEDED, c.SUPERSEDED, c.WITHDRAWN)
    return render(
        request,
        "matching/run_detail.html",
        {
            "title": str(run),
            "run": run,
            "rules": rules,
            "summary": run.summary or {},
            "not_in_registry": not_in_registry,
            "absent_rows": absent_rows,
            "issues": (run.list.issues or [])[:50],
            "can_download": run.job_id is not None and in_scope(request.user, run.job, "view"),
            "mapping": [(col.label, run.list.mapping.get(col.key, "")) for col in source.columns],
            "withheld": [(row["label"], row["withheld"]) for row in rules if row.get("withheld")],
            "overview": selectors.run_overview(run) if shows_findings else None,
            "can_release": run.status in (c.PREVIEW, c.SUCCEEDED) and in_scope(request.user, run, "add"),
            "earlier_runs": services.previous_run_of(run) is None
            and MatchRun.objects.restrict(request.user, "view")
            .filter(department=run.department, period__lt=run.period)
            .exists(),
        },
    )


@require_POST
def run_release(request, pk):
    """确认下发: the previewed findings reach their villages."""
    run = get_object_for(request.user, MatchRun.objects.all(), "add", pk=pk)
    try:
        run = services.release_run(run=run, user=request.user)
    except services.RunRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已下发 {run.summary.get('released', 0)} 条比对结果到各村核实")
    return redirect(run.get_absolute_url())


@require_POST
def run_withdraw(request, pk):
    """撤回本次比对: the findings nobody has touched go; those already verified stay."""
    run = get_object_for(request.user, MatchRun.objects.all(), "add", pk=pk)
    try:
        run = services.withdraw_run(run=run, user=request.user)
    except services.RunRefused as exc:
        messages.error(request, str(exc))
    else:
        kept = run.summary.get("kept_findings", 0)
        messages.success(
            request,
            f"已撤回 {run.summary.get('withdrawn_findings', 0)} 条比对结果"
            + (f"；{kept} 条已有村级核实或处理，予以保留" if kept else ""),
        )
    return redirect(run.get_absolute_url())


# --- upload with preview ----------------------------------------------------------------------------------------


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "matching" / "uploads"


def _forget_old_uploads(max_age: float = 24 * 3600) -> None:
    """Previews nobody confirmed: their files go after a day."""
    import shutil
    import time

    root = _upload_dir()
    if not root.is_dir():
        return
    limit = time.time() - max_age
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _pending(request) -> dict:
    return request.session.setdefault(UPLOAD_SESSION_KEY, {})


def upload(request):
    """Step 1: department, month and file; step 2 (same page, once the preview job has read the file): the mapping
    and the first rows; then run. The request only stores the file: reading it is the worker's."""
    if not user_can(request.user, DepartmentList, "add"):
        raise PermissionDenied("您的角色不能上传部门名单")
    if request.method == "POST" and request.POST.get("token"):
        return _confirm(request)
    if request.method == "GET" and request.GET.get("token"):
        return _show_preview(request, request.GET["token"])
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if not form.fields["department"].choices:
        raise PermissionDenied("本部门尚无比对规则")
    if request.method == "POST" and form.is_valid():
        department = form.cleaned_data["department"]
        services.check_department(request.user, department)
        _forget_old_uploads()
        token = uuid.uuid4().hex
        upload = form.cleaned_data["file"]
        folder = _upload_dir() / token
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (get_valid_filename(Path(upload.name).name) or "list.xlsx")
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        pending = {
            "path": str(path),
            "department": department,
            "period": form.cleaned_data["period"],
            "file_name": upload.name,
        }
        _start_preview(request, token, pending)
        return _to_preview(token)
    return render(request, "matching/upload.html", {"title": "上传部门名单", "form": form})


def _to_preview(token: str):
    return redirect(f"{reverse('matching:upload')}?token={token}")


def _start_preview(request, token: str, pending: dict, *, mapping: dict | None = None, errors=()) -> None:
    """Start the job that reads the header and the first rows (with ``mapping``, or the detected one)."""
    relative = Path(pending["path"]).relative_to(Path(settings.MEDIA_ROOT)).as_posix()
    job = start_job(
        kind="matching.preview",
        user=request.user,
        params={
            "path": relative,
            "file_name": pending["file_name"],
            "department": pending["department"],
            "region_code": services.user_region_code(request.user),
            "mapping": mapping,
        },
        title=f"部门名单预览：{pending['file_name']}"[:200],
    )
    _pending(request)[token] = {**pending, "job": job.pk, "errors": list(errors)}
    request.session.modified = True


def _preview_of(request, token: str) -> tuple[dict | None, Job | None, dict | None]:
    """The pending upload of this session, its preview job (the user's own) and what the job found."""
    pending = _pending(request).get(token) if isinstance(token, str) else None
    if pending is None:
        return None, None, None
    job = Job.objects.filter(pk=pending.get("job"), user=request.user, kind="matching.preview").first()
    data = read_job_data(job_dir(job.pk)) if job is not None and job.status == Job.SUCCEEDED else None
    return pending, job, data


def _show_preview(request, token: str):
    pending, job, data = _preview_of(request, token)
    if pending is None or job is None:
        messages.error(request, "上传已过期，请重新上传文件")
        return redirect("matching:upload")
    context = {
        "title": "上传部门名单",
        "form": UploadForm(user=request.user),
        "job": job,
        "token": token if data else "",
        "source": get_source(pending["department"]),
        "department": pending["department"],
        "period": pending["period"],
        "file_name": pending["file_name"],
        "mapping_errors": pending.get("errors") or [],
        **(data or {}),
    }
    return render(request, "matching/upload.html", context)


def _confirm(request):
    token = request.POST["token"]
    pending, _job, data = _preview_of(request, token)
    if pending is None:
        messages.error(request, "上传已过期，请重新上传文件")
        return redirect("matching:upload")
    if data is None:
        messages.error(request, "文件尚未读取完成，请等预览出现后再确认")
        return _to_preview(token)
    source = services.check_department(request.user, pending["department"])
    path = Path(pending["path"])
    layout = stored_layout(data)
    mapping = {col.key: request.POST.get(f"map_{col.key}", "").strip() for col in source.columns}
    mapping = {k: v for k, v in mapping.items() if v}
    problems = validate_mapping(source, layout.headers, mapping)
    if problems or request.POST.get("refresh"):
        _start_preview(request, token, pending, mapping=mapping, errors=problems)
        return _to_preview(token)
    layout.mapping = mapping
    try:
        dlist = services.create_list(
            department=pending["department"],
            period=pending["period"],
            path=path,
            file_name=pending["file_name"],
            user=request.user,
            region_code=services.user_region_code(request.user),
            layout=layout,
        )
    except services.RunRefused as exc:
        _start_preview(request, token, pending, mapping=mapping, errors=[str(exc)])
        return _to_preview(token)
    run = services.start_run(dlist=dlist, user=request.user)
    del _pending(request)[token]
    request.session.modified = True
    path.unlink(missing_ok=True)
    messages.success(request, f"已开始比对：{dlist}")
    return redirect(run.get_absolute_url())


def base_export(request):
    """导出基础名单: the 脱贫人口 and 监测对象 of the user's region, as a job (the file carries full IDs)."""
    if not user_can(request.user, DepartmentList, "export"):
        raise PermissionDenied("您的角色不能导出基础名单")
    form = BaseExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        job = start_job(
            kind="matching.export_base",
            user=request.user,
            params={"period": period, "region_code": services.user_region_code(request.user)},
            title=f"导出{period}基础名单",
        )
        return redirect(job.get_absolute_url())
    return render(request, "matching/base_export.html", {"title": "导出基础名单", "form": form})


# --- findings ---------------------------------------------------------------------------------------------------


class FindingListView(ObjectListView):
    queryset = Finding.objects.select_related("village__parent", "household", "previous").annotate(
        head_name=selectors.HEAD_NAME
    )
    filterset_class = FindingFilterSet
    table_class = FindingTable
    title = "比对结果"

    def get_queryset(self, request, action: str = "view"):
        qs = super().get_queryset(request, action)
        if not any(request.GET.get(k) for k in ("run", "resolved_by", "history")):
            qs = qs.current()  # the latest of each chain; a run's page links to all of its findings
        return qs


def finding_detail(request, pk):
    finding = get_object_for(
        request.user,
        Finding.objects.annotate(head_name=selectors.HEAD_NAME).select_related(
            "village__parent",
            "household",
            "member",
            "run__list",
            "previous__run",
            "verified_by",
            "closed_by",
            "case",
            "measure",
            "problem",
        ),
        "view",
        pk=pk,
    )
    can_change = in_scope(request.user, finding, "change")
    source = get_source(finding.department)
    rule = source.rule(finding.rule)
    actions = services.actions_for(finding)
    chain = []
    earlier = finding.previous
    while earlier is not None and len(chain) < 24:
        chain.append(earlier)
        earlier = earlier.previous
    later = Finding.objects.restrict(request.user, "view").filter(previous=finding).select_related("run")
    return render(
        request,
        "matching/finding_detail.html",
        {
            "title": str(finding),
            "finding": finding,
            "short_no": selectors.short_household_no(finding.household.household_no if finding.household else ""),
            "rule": rule,
            "chain": chain,
            "later": later,
            "can_verify": can_change and finding.status == c.PENDING,
            "can_resolve": can_change and finding.status == c.CONFIRMED,
            "verify_form": VerifyForm(),
            "resolve_form": ResolveForm(finding=finding, user=request.user, actions=actions),
            "suggested": rule.action if rule else "",
            "changes": object_history(request.user, finding),
            "member_edit": in_scope(request.user, finding.member, "change") if finding.member_id else False,
            "can_add_measure": finding.household_id is not None and _can_add_measure(request.user),
            **_portrait_context(request.user, finding),
        },
    )


def _portrait_context(user, finding) -> dict:
    """A 民政 finding about 新申请低保 / 分散供养特困 / 低保边缘: whether the household has its 一户一画像 (the guard of
    services._require_portrait), with the link to it."""
    from shoudi.assistance.models import Portrait

    group = services.portrait_group_of(finding)
    if not group:
        return {}
    return {
        "portrait_group": group,
        "has_portrait": services.has_current_portrait(finding),  # made on or after the list's period began
        "can_portrait": user_can(user, Portrait, "view"),
    }


def _can_add_measure(user) -> bool:
    from shoudi.assistance.models import Measure

    return user_can(user, Measure, "add")


@require_POST
def finding_verify(request, pk):
    finding = get_object_for(request.user, Finding.objects.all(), "change", pk=pk)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择核实结果")
        return redirect(finding.get_absolute_url())
    try:
        services.verify_finding(
            finding=finding,
            user=request.user,
            confirmed=form.cleaned_data["result"] == "属实",
            note=form.cleaned_data["note"],
        )
    except services.FindingRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已核实：{form.cleaned_data['result']}")
    return redirect(finding.get_absolute_url())


@require_POST
def finding_resolve(request, pk):
    finding = get_object_for(request.user, Finding.objects.all(), "change", pk=pk)
    form = ResolveForm(request.POST, finding=finding, user=request.user, actions=services.actions_for(finding))
    if not form.is_valid():
        messages.error(request, "请选择处理方式")
        return redirect(finding.get_absolute_url())
    d = form.cleaned_data
    try:
        finding = services.resolve_finding(
            finding=finding, user=request.user, action=d["action"], note=d["note"], measure=d.get("measure")
        )
    except services.FindingRefused as exc:
        messages.error(request, str(exc))
        return redirect(finding.get_absolute_url())
    if finding.action == c.CLUE and finding.case_id:
        messages.success(request, "已处理：已提出监测线索（或关联到该户进行中的监测记录）")
        return redirect(finding.case.get_absolute_url())
    messages.success(request, f"已处理：{finding.get_action_display()}")
    return redirect(finding.get_absolute_url())


# --- settings ---------------------------------------------------------------------------------------------------


class SettingsListView(ObjectListView):
    queryset = MatchingSettings.objects.select_related("region")
    table_class = SettingsTable
    title = "比对参数"
    add_url_name = "matching:matchingsettings_add"


class SettingsEditView(ObjectEditView):
    queryset = MatchingSettings.objects.all()
    form_class = SettingsForm
