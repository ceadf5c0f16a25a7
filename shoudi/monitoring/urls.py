from django.urls import path

from . import notice_views, screening_views, views

app_name = "monitoring"

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/act/<str:action>/", views.case_act, name="case_act"),
    path("clue/", views.open_clue, name="open_clue"),
    path("review/", views.batch_review, name="batch_review"),
    path("screen/", screening_views.screen, name="screen"),
    path("screen/<int:pk>/", screening_views.batch_detail, name="screening_batch"),
    path("screen/<int:pk>/withdraw/", screening_views.batch_withdraw, name="screening_withdraw"),
    path("lines/", views.MonitoringLineListView.as_view(), name="monitoringline_list"),
    path("lines/add/", views.MonitoringLineEditView.as_view(), name="monitoringline_add"),
    path("lines/<int:pk>/edit/", views.MonitoringLineEditView.as_view(), name="monitoringline_edit"),
    path("settings/", views.MonitoringSettingsListView.as_view(), name="monitoringsettings_list"),
    path("settings/add/", views.MonitoringSettingsEditView.as_view(), name="monitoringsettings_add"),
    path("settings/<int:pk>/edit/", views.MonitoringSettingsEditView.as_view(), name="monitoringsettings_edit"),
    path("notices/", notice_views.NoticeDeliveryListView.as_view(), name="noticedelivery_list"),
    path("notices/coverage/", notice_views.coverage, name="notice_coverage"),
    path("notices/household/<int:pk>/", notice_views.deliver, name="notice_deliver"),
    path("notices/village/<int:pk>/", notice_views.village_batch, name="notice_batch_add"),
    path("notices/batches/<int:pk>/", notice_views.batch_detail, name="notice_batch"),
    path("notices/batches/<int:pk>/withdraw/", notice_views.batch_withdraw, name="notice_batch_withdraw"),
    path("notices/documents/", notice_views.NoticeDocumentListView.as_view(), name="noticedocument_list"),
    path("notices/documents/add/", notice_views.NoticeDocumentEditView.as_view(), name="noticedocument_add"),
    path("notices/documents/<int:pk>/edit/", notice_views.NoticeDocumentEditView.as_view(), name="noticedocument_edit"),
]
