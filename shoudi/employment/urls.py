from django.urls import path

from . import record_views as r
from . import views

app_name = "employment"

urlpatterns = [
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/start/", views.round_start, name="round_start"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/persons/", views.round_persons, name="round_persons"),
    path("rounds/<int:pk>/retry/", views.round_retry, name="round_retry"),
    path("rounds/<int:pk>/withdraw/", views.round_withdraw, name="round_withdraw"),
    path("verify/<int:pk>/", views.verify, name="verify"),
    path("zero/", views.ZeroEmploymentListView.as_view(), name="zero_list"),
    path("posts/", r.PostListView.as_view(), name="post_list"),
    path("posts/add/", r.PostEditView.as_view(), name="post_add"),
    path("posts/<int:pk>/", r.PostDetailView.as_view(), name="post_detail"),
    path("posts/<int:pk>/edit/", r.PostEditView.as_view(), name="post_edit"),
    path("placements/add/", r.PlacementEditView.as_view(), name="placement_add"),
    path("placements/<int:pk>/edit/", r.PlacementEditView.as_view(), name="placement_edit"),
    path("attendance/", r.AttendanceListView.as_view(), name="attendance_list"),
    path("attendance/add/", r.AttendanceEditView.as_view(), name="attendance_add"),
    path("attendance/<int:pk>/edit/", r.AttendanceEditView.as_view(), name="attendance_edit"),
    path("workshops/", r.WorkshopListView.as_view(), name="workshop_list"),
    path("workshops/add/", r.WorkshopEditView.as_view(), name="workshop_add"),
    path("workshops/<int:pk>/", r.WorkshopDetailView.as_view(), name="workshop_detail"),
    path("workshops/<int:pk>/edit/", r.WorkshopEditView.as_view(), name="workshop_edit"),
    path("workshop-employees/add/", r.WorkshopEmployeeEditView.as_view(), name="workshopemployee_add"),
    path("workshop-employees/<int:pk>/edit/", r.WorkshopEmployeeEditView.as_view(), name="workshopemployee_edit"),
    path("transport/", r.TransportSubsidyListView.as_view(), name="transportsubsidy_list"),
    path("transport/add/", r.TransportSubsidyEditView.as_view(), name="transportsubsidy_add"),
    path("transport/<int:pk>/edit/", r.TransportSubsidyEditView.as_view(), name="transportsubsidy_edit"),
    path("settings/", r.SettingsListView.as_view(), name="employmentsettings_list"),
    path("settings/add/", r.SettingsEditView.as_view(), name="employmentsettings_add"),
    path("settings/<int:pk>/edit/", r.SettingsEditView.as_view(), name="employmentsettings_edit"),
]
