from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.http import require_POST

from shoudi.core.jobs import job_dir, start_job
from shoudi.core.models import Job
from shoudi.core.scope import get_object_for, user_can
from shoudi.core.uploads import read_job_data, start_upload_job
from shoudi.core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView

from .filters import RegionFilterSet
from .forms import RegionForm, RegionImportForm
from .jobs import PREVIEW_ROWS
from .models import Region
from .tables import RegionTable


class RegionListView(ObjectListView):
    queryset = Region.objects.select_related("parent")
    filterset_class = RegionFilterSet
    table_class = RegionTable
    title = "行政区划"
    add_url_name = "regions:region_add"
    import_url_name = "regions:region_import"


class RegionDetailView(ObjectDetailView):
    queryset = Region.objects.select_related("parent")
    template_name = "regions/region_detail.html"
    fields = ("code", "name", "level", "parent")

    def get_context(self, request, obj):
        context = super().get_context(request, obj)
        context["children"] = Region.objects.restrict(request.user, "view").filter(parent=obj)
        context["breadcrumb"] = list(obj.ancestors())
        return context


class RegionEditView(ObjectEditView):
    queryset = Region.objects.all()
    form_class = RegionForm


class RegionDeleteView(ObjectDeleteView):
    queryset = Region.objects.all()


def picker_context(request) -> dict:
    """The header's picker: the regions inside the user's own, and the one picked."""
    from shoudi.core.views.generic import picked_region_code

    regions = list(Region.objects.restrict(request.user, "view").only("code", "name", "level"))
    if len(regions) <= 1:
        return {"picker_regions": [], "picked_region": None}
    code = picked_region_code(request)
    picked = next((r for r in regions if r.code == code), None)
    return {"picker_regions": regions, "picked_region": picked}


@require_POST
def pick_region(request):
    """The header's region picker: narrows every list to one region inside the user's own."""
    code = request.POST.get("code", "").strip()
    if code and Region.objects.restrict(request.user, "view").filter(code=code).exists():
        request.session["region_code"] = code
    else:
        request.session.pop("region_code", None)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return HttpResponseRedirect(target)


IMPORT_KINDS = ("regions.import_preview", "regions.import_commit")


def _may_import(request) -> None:
    if not user_can(request.user, Region, "import"):
        raise PermissionDenied("您的角色无权导入行政区划")


class RegionImportView(View):
    """导入行政区划: upload a division list; a job checks it (counts and every row error, nothing written), the user
    confirms, and a second job imports it (checking it again). The request only stores the file and starts the job.

    Only roles with "import" on regions (县级管理员) get here; each code must lie inside the user's region.
    """

    def dispatch(self, request, *args, **kwargs):
        _may_import(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return _render(request, RegionImportForm())

    def post(self, request):
        form = RegionImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return _render(request, form)
        upload = form.cleaned_data["file"]
        job = start_upload_job(
            upload,
            folder="regions",
            kind="regions.import_preview",
            user=request.user,
            title=f"检查区划文件：{upload.name}",
        )
        return redirect("regions:region_import_job", pk=job.pk)


def _render(request, form, **context):
    result = context.get("result")
    return render(
        request,
        "regions/region_import.html",
        {
            "title": "导入行政区划",
            "form": form,
            "preview_rows": result["rows"] if result else [],
            "preview_limit": PREVIEW_ROWS,
            **context,
        },
    )


def _commit_started(job: Job) -> bool:
    return Job.objects.filter(kind="regions.import_commit", params__preview_job=job.pk).exists()


def _confirmable(job: Job, data: dict | None) -> bool:
    return (
        job.kind == "regions.import_preview"
        and job.status == Job.SUCCEEDED
        and bool(data and data.get("ok"))
        and not _commit_started(job)
    )


def region_import_job(request, pk):
    """The check or the import of one uploaded file: its progress, then the preview (确认导入) or the result."""
    _may_import(request)
    job = get_object_for(request.user, Job.objects.filter(kind__in=IMPORT_KINDS, user=request.user), "view", pk=pk)
    if request.method == "POST":
        return _confirm(request, job)
    data = read_job_data(job_dir(job.pk)) if job.is_finished else None
    return _render(
        request,
        RegionImportForm(),
        job=job,
        result=data,
        confirmable=_confirmable(job, data),
        filename=job.params.get("filename", ""),
    )


def _confirm(request, job: Job):
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if not _confirmable(job, read_job_data(job_dir(job.pk))):
            messages.error(request, "该文件已导入或不能导入，请重新上传。")
            return redirect("regions:region_import")
        params = job.params
        commit = start_job(
            kind="regions.import_commit",
            user=request.user,
            params={"path": params["path"], "filename": params["filename"], "preview_job": job.pk},
            title=f"导入区划文件：{params['filename']}"[:200],
        )
    return redirect("regions:region_import_job", pk=commit.pk)
