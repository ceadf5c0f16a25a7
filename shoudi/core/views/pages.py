from django.db import connection
from django.http import JsonResponse
from django.views.generic import TemplateView

from ..filters import AccessLogFilterSet, ObjectChangeFilterSet
from ..menu import quick_actions
from ..models import AccessLog, ObjectChange
from ..registry import registry
from ..tables import AccessLogTable, ObjectChangeTable
from .generic import ObjectListView


class HomeView(TemplateView):
    """工作台: the user's own due items, his households or villages, his role's quick actions — what apps register
    in ``home_panels`` (each decides what it shows for the role), not the menu again."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        panels = (panel(self.request) for panel in registry.entries("home_panels"))
        context["panels"] = [html for html in panels if html]
        context["quick_actions"] = quick_actions(self.request.user)
        return context


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class ObjectChangeListView(ObjectListView):
    """The county audit page: every change in the user's scope, with filters."""

    queryset = ObjectChange.objects.select_related("content_type")
    filterset_class = ObjectChangeFilterSet
    table_class = ObjectChangeTable
    title = "变更记录"


class AccessLogListView(ObjectListView):
    queryset = AccessLog.objects.all()
    filterset_class = AccessLogFilterSet
    table_class = AccessLogTable
    title = "敏感信息访问记录"
