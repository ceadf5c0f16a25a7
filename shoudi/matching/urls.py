from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("", views.RunListView.as_view(), name="run_list"),
    path("upload/", views.upload, name="upload"),
    path("base/", views.base_export, name="base_export"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/release/", views.run_release, name="run_release"),
    path("runs/<int:pk>/withdraw/", views.run_withdraw, name="run_withdraw"),
    path("findings/", views.FindingListView.as_view(), name="finding_list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/verify/", views.finding_verify, name="finding_verify"),
    path("findings/<int:pk>/resolve/", views.finding_resolve, name="finding_resolve"),
    path("settings/", views.SettingsListView.as_view(), name="matchingsettings_list"),
    path("settings/add/", views.SettingsEditView.as_view(), name="matchingsettings_add"),
    path("settings/<int:pk>/edit/", views.SettingsEditView.as_view(), name="matchingsettings_edit"),
]
