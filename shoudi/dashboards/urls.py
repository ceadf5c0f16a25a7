"""数据看板 under /dashboard/ in the ``dashboards`` namespace."""

from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("region/<int:pk>/", views.dashboard, name="region"),
    path("region/<int:pk>/export/", views.export, name="export"),
]
