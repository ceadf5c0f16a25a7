from django.urls import include, path

from . import views

app_name = "core"

urlpatterns = [
    path("changes/", views.ObjectChangeListView.as_view(), name="objectchange_list"),
    path("access-log/", views.AccessLogListView.as_view(), name="accesslog_list"),
    path("jobs/", include("shoudi.core.jobs.urls")),
]
