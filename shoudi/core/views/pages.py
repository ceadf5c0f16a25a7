from django.db import connection
from django.http import JsonResponse
from django.views.generic import TemplateView

from ..filters import AccessLogFilterSet, ObjectChangeFilterSet
from ..models import AccessLog, ObjectChange
from ..tables import AccessLogTable, ObjectChangeTable
from .generic import ObjectListView


class HomeView(TemplateView):
    template_name = "core/home.html"


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
