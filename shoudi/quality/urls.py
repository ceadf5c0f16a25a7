from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.overview_page, name="overview"),
    path("hits/", views.HitListView.as_view(), name="hit_list"),
    path("hits/<int:pk>/", views.hit_detail, name="hit_detail"),
    path("todo/", views.todo, name="todo"),
    path("rules/", views.rule_list, name="rule_list"),
    path("run/", views.start, name="run"),
    path("report/", views.report, name="report"),
    path("settings/", views.SettingsListView.as_view(), name="qualitysettings_list"),
    path("settings/add/", views.SettingsEditView.as_view(), name="qualitysettings_add"),
    path("settings/<int:pk>/edit/", views.SettingsEditView.as_view(), name="qualitysettings_edit"),
]
