"""Declarative CRUD views in the NetBox manner: a view names its queryset, filterset, table and form.

Every view takes its rows from ``restrict(user, action)``; a create or edit is re-checked against the user's scope
before it is committed, and rolled back when the saved object would fall outside it.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import ProtectedError, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_tables2 import RequestConfig

from ..audit import log_access
from ..changes import attach_diffs, readable
from ..excel import rows_xlsx_bytes
from ..masking import mask_value
from ..models import AccessLog, ObjectChange
from ..scope import get_object_for, in_scope, user_can

__all__ = ["ObjectDeleteView", "ObjectDetailView", "ObjectEditView", "ObjectListView"]

EXPORT_LIMIT = 100_000


def picked_region_code(request) -> str:
    """The region chosen in the header's picker (always inside the user's own region)."""
    code = request.session.get("region_code", "")
    own = request.user.region.code if getattr(request.user, "region_id", None) else ""
    return code if code and code.startswith(own) else ""


class ObjectListView(View):
    """A filtered, sortable, paginated list with an Excel export of the filtered rows (masked as on screen)."""

    queryset = None
    filterset_class = None
    table_class = None
    template_name = "generic/object_list.html"
    title = ""
    add_url_name = ""
    import_url_name = ""
    per_page = 50

    def get_queryset(self, request, action: str = "view"):
        qs = self.queryset.all().restrict(request.user, action)
        code_field = getattr(qs.model, "scope_code_field", "")
        picked = picked_region_code(request)
        if picked and code_field:
            qs = qs.filter(**{f"{code_field}__startswith": picked})
        return qs

    def filter(self, request, qs):
        if self.filterset_class is None:
            return qs, None
        filterset = self.filterset_class(request.GET or None, queryset=qs, request=request)
        if filterset.is_bound and not filterset.is_valid():
            return qs.none(), filterset
        return filterset.qs, filterset

    def get(self, request):
        model = self.queryset.model
        if not user_can(request.user, model, "view"):
            raise PermissionDenied("您的角色无权查看此列表")
        if request.GET.get("export") == "xlsx":
            return self.export(request)
        qs, filterset = self.filter(request, self.get_queryset(request))
        # a table's 修改 column is for those who may change the rows
        hidden = () if user_can(request.user, model, "change") else ("edit",)
        table = self.table_class(qs, request=request, exclude=hidden)
        RequestConfig(request, paginate={"per_page": self.per_page}).configure(table)
        context = {
            "title": self.title or model._meta.verbose_name_plural,
            "table": table,
            "filterset": filterset,
            "model": model,
            "can_add": bool(self.add_url_name) and user_can(request.user, model, "add"),
            "add_url": reverse(self.add_url_name) if self.add_url_name else "",
            "can_import": bool(self.import_url_name) and user_can(request.user, model, "import"),
            "import_url": reverse(self.import_url_name) if self.import_url_name else "",
            "can_export": user_can(request.user, model, "export"),
        }
        template = self.template_name
        if request.htmx and request.htmx.target == "object-list":
            # the part lives in the generic template, whichever template extends it
            template = "generic/object_list.html#object-list"
        return render(request, template, context)

    def export(self, request):
        model = self.queryset.model
        if not user_can(request.user, model, "export"):
            raise PermissionDenied("您的角色无权导出此列表")
        qs, _ = self.filter(request, self.get_queryset(request, "export"))
        qs = qs[:EXPORT_LIMIT]
        table = self.table_class(qs, request=request)
        values = list(table.as_values(exclude_columns=getattr(table.Meta, "export_exclude", ())))
        headers, rows = values[0], values[1:]
        title = str(self.title or model._meta.verbose_name_plural)
        region = request.user.region
        stamp = timezone.localtime()
        content = rows_xlsx_bytes(
            title=title,
            subtitle=f"{region.full_name if region else ''}  导出人：{request.user}  导出时间：{stamp:%Y-%m-%d %H:%M}",
            headers=headers,
            rows=rows,
        )
        if getattr(model, "personal_fields", ()):
            log_access(
                user=request.user,
                action=AccessLog.EXPORT,
                request=request,
                record_count=len(rows),
                detail=f"导出{title}（{request.GET.urlencode()}）",
            )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        filename = f"{title}_{stamp:%Y%m%d%H%M}.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response


class ObjectDetailView(View):
    """One object, with a 变更记录 tab listing its history (and that of the objects filed under it)."""

    queryset = None
    template_name = "generic/object_detail.html"
    fields: tuple[str, ...] = ()

    def get(self, request, pk):
        obj = get_object_for(request.user, self.queryset.all(), "view", pk=pk)
        return render(request, self.template_name, self.get_context(request, obj))

    def get_context(self, request, obj) -> dict:
        model = type(obj)
        names = self.fields or tuple(f.name for f in model._meta.concrete_fields if f.name not in ("id",))
        personal = getattr(model, "personal_fields", {})
        rows = []
        for name in names:
            field = model._meta.get_field(name)
            display = getattr(obj, f"get_{name}_display", None)
            value = display() if display else getattr(obj, name)
            if name in personal and value:  # masked for every reader; a page may offer a logged 显示
                value = mask_value(personal[name], value)
            rows.append((field.verbose_name, value if display else readable(None, value)))  # 是/否, lists joined
        return {
            "object": obj,
            "title": str(obj),
            "field_rows": rows,
            "changes": object_history(request.user, obj),
            "can_change": in_scope(request.user, obj, "change"),
            "can_delete": in_scope(request.user, obj, "delete"),
            "edit_url": _url_or_empty(obj, "edit"),
            "delete_url": _url_or_empty(obj, "delete"),
        }


def _url_or_empty(obj, suffix: str) -> str:
    meta = obj._meta
    try:
        return reverse(f"{meta.app_label}:{meta.model_name}_{suffix}", args=[obj.pk])
    except NoReverseMatch:
        return ""


def object_history(user, obj, limit: int = 200):
    """Changes to ``obj`` and to objects filed under it, visible to ``user``."""
    ct = ContentType.objects.get_for_model(type(obj))
    return attach_diffs(
        ObjectChange.objects.restrict(user, "view")
        .filter(Q(content_type=ct, object_id=str(obj.pk)) | Q(parent_content_type=ct, parent_object_id=str(obj.pk)))
        .select_related("content_type")[:limit]
    )


class ObjectEditView(View):
    """Create (no pk) or edit. The form validates; the saved object is re-checked against the user's scope."""

    queryset = None
    form_class = None
    template_name = "generic/object_edit.html"

    def get_form(self, request, instance, data=None, files=None):
        return self.form_class(data, files, instance=instance, user=request.user)

    def get_instance(self, request, pk):
        if pk is None:
            if not user_can(request.user, self.queryset.model, "add"):
                raise PermissionDenied("您的角色无权新增此类记录")
            return self.queryset.model()
        return get_object_for(request.user, self.queryset.all(), "change", pk=pk)

    def get(self, request, pk=None):
        instance = self.get_instance(request, pk)
        return self.render(request, self.get_form(request, instance), instance)

    def render(self, request, form, instance, status=200):
        model = self.queryset.model
        verb = "修改" if instance.pk else "新增"
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "object": instance,
                "title": f"{verb}{model._meta.verbose_name}" + (f"：{instance}" if instance.pk else ""),
                "cancel_url": instance.get_absolute_url() if instance.pk else self.list_url(request),
            },
            status=status,
        )

    def list_url(self, request=None) -> str:
        """Where 取消 leads from a new object: its list; for a model without a list (a household's income, added
        from the household's page), the page the user came from."""
        meta = self.queryset.model._meta
        try:
            return reverse(f"{meta.app_label}:{meta.model_name}_list")
        except NoReverseMatch:
            referer = request.META.get("HTTP_REFERER", "") if request is not None else ""
            if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}):
                return referer
            return reverse("home")

    def post(self, request, pk=None):
        instance = self.get_instance(request, pk)
        action = "change" if instance.pk else "add"
        form = self.get_form(request, instance, request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, form, instance)
        with transaction.atomic(using=router.db_for_write(self.queryset.model)):
            obj = form.save()
            refused = not in_scope(request.user, obj, action)
            if refused:
                transaction.set_rollback(True)
        if refused:
            form.add_error(None, "保存后该记录将超出您的管辖范围，操作已撤销。")
            if pk is not None:
                instance.refresh_from_db()
            return self.render(request, form, instance, status=403)
        messages.success(request, f"已保存{obj._meta.verbose_name}：{obj}")
        return redirect(obj.get_absolute_url())


class ObjectDeleteView(View):
    """Delete after a confirmation page."""

    queryset = None
    template_name = "generic/object_delete.html"

    def get(self, request, pk):
        obj = get_object_for(request.user, self.queryset.all(), "delete", pk=pk)
        return render(request, self.template_name, {"object": obj, "title": f"删除{obj._meta.verbose_name}：{obj}"})

    def post(self, request, pk):
        obj = get_object_for(request.user, self.queryset.all(), "delete", pk=pk)
        meta = obj._meta
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError:
            messages.error(request, f"{meta.verbose_name}“{obj}”仍被其他数据引用，不能删除。")
            return redirect(obj.get_absolute_url())
        messages.success(request, f"已删除{meta.verbose_name}：{obj}")
        return redirect(reverse(f"{meta.app_label}:{meta.model_name}_list"))
