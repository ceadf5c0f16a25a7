import contextlib
import datetime
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.http import require_POST

from shoudi.core.scope import user_can
from shoudi.core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView

from .filters import RegionFilterSet
from .forms import RegionForm, RegionImportForm
from .importing import ALLOWED_EXTENSIONS, import_regions
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


REGION_IMPORT_SESSION_KEY = "region_import_uploads"
REGION_IMPORT_PREFIX = "region-import-"
REGION_IMPORT_KEEP = datetime.timedelta(days=1)
REGION_IMPORT_PREVIEW_ROWS = 1000


def _import_upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads"


def _import_upload_path(token: str, ext: str) -> Path | None:
    # The token names a file on disk: only the hex we issued, only an extension we accept.
    if not re.fullmatch(r"[0-9a-f]{32}", token or "") or ext not in ALLOWED_EXTENSIONS:
        return None
    return _import_upload_dir() / f"{REGION_IMPORT_PREFIX}{token}{ext}"


def _keep_import_upload(request, upload) -> str:
    """Store an upload between preview and confirmation; the token is valid for this session only."""
    folder = _import_upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - REGION_IMPORT_KEEP.total_seconds()
    for old in folder.glob(f"{REGION_IMPORT_PREFIX}*"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
    token = secrets.token_hex(16)
    ext = Path(upload.name or "").suffix.lower()
    path = _import_upload_path(token, ext)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    kept = request.session.get(REGION_IMPORT_SESSION_KEY, {})
    kept = dict(list(kept.items())[-4:])  # a few open previews at most
    kept[token] = {"name": upload.name, "ext": ext}
    request.session[REGION_IMPORT_SESSION_KEY] = kept
    return token


def _take_import_upload(request, token: str) -> tuple[Path | None, str]:
    """The stored file for ``token`` and its original name, forgetting the token (a file is imported once)."""
    kept = request.session.get(REGION_IMPORT_SESSION_KEY, {})
    entry = kept.pop(token, None) if isinstance(token, str) else None
    request.session[REGION_IMPORT_SESSION_KEY] = kept
    if entry is None:
        return None, ""
    path = _import_upload_path(token, entry.get("ext", ""))
    if path is None or not path.is_file():
        return None, ""
    return path, entry.get("name", "")


class RegionImportView(View):
    """导入行政区划: upload a division list, preview it (counts and every row error), then confirm to import it.

    The preview writes nothing. When it has no error the upload is kept under MEDIA_ROOT/uploads/ with a random
    name, and the confirmation names it by a token this session received; the file is checked again on import.
    Only roles with "import" on regions (县级管理员) get here; each code must lie inside the user's region.
    """

    template_name = "regions/region_import.html"

    def dispatch(self, request, *args, **kwargs):
        if not user_can(request.user, Region, "import"):
            raise PermissionDenied("您的角色无权导入行政区划")
        return super().dispatch(request, *args, **kwargs)

    def render(self, request, form, **context):
        status = context.pop("status", 200)
        result = context.get("result")
        return render(
            request,
            self.template_name,
            {
                "title": "导入行政区划",
                "form": form,
                "preview_rows": result.rows[:REGION_IMPORT_PREVIEW_ROWS] if result else [],
                "preview_limit": REGION_IMPORT_PREVIEW_ROWS,
                **context,
            },
            status=status,
        )

    def get(self, request):
        return self.render(request, RegionImportForm())

    def post(self, request):
        if "token" in request.POST:
            return self.confirm(request)
        form = RegionImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, form)
        upload = form.cleaned_data["file"]
        result = import_regions(upload, user=request.user, filename=upload.name, dry_run=True)
        token = _keep_import_upload(request, upload) if result.ok else ""
        return self.render(request, RegionImportForm(), result=result, token=token, filename=upload.name)

    def confirm(self, request):
        token = request.POST.get("token", "")
        path, filename = _take_import_upload(request, token)
        if path is None:
            messages.error(request, "上传的文件已失效，请重新上传。")
            return redirect("regions:region_import")
        try:
            result = import_regions(path, user=request.user, filename=filename)
        finally:
            with contextlib.suppress(OSError):
                path.unlink()
        if not result.committed:
            # The list changed since the preview, or the user's scope did: show why, nothing was written.
            return self.render(request, RegionImportForm(), result=result, filename=filename, status=409)
        messages.success(request, f"行政区划导入完成（{filename}）：{result.summary()}")
        return redirect("regions:region_list")
