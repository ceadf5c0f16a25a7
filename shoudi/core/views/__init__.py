from .generic import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView
from .pages import AccessLogListView, HomeView, ObjectChangeListView, healthz

__all__ = [
    "AccessLogListView",
    "HomeView",
    "ObjectChangeListView",
    "ObjectDeleteView",
    "ObjectDetailView",
    "ObjectEditView",
    "ObjectListView",
    "healthz",
]
