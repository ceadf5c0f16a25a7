from django.urls import path

from . import pickers, portrait_views, views

app_name = "assistance"

urlpatterns = [
    path("todo/", views.worklist_page, name="worklist"),
    path("cadres/", views.CadreListView.as_view(), name="cadre_list"),
    path("cadres/add/", views.CadreEditView.as_view(), name="cadre_add"),
    path("cadres/import/", views.cadre_import, name="cadre_import"),
    path("cadres/import/<int:pk>/", views.cadre_import_job, name="cadre_import_job"),
    path("cadres/<int:pk>/", views.CadreDetailView.as_view(), name="cadre_detail"),
    path("cadres/<int:pk>/edit/", views.CadreEditView.as_view(), name="cadre_edit"),
    path("cadres/<int:pk>/handover/", views.cadre_handover, name="cadre_handover"),
    path("cadres/<int:pk>/phone/", views.unmask_cadre_phone, name="cadre_phone"),
    path("pick/cadres/", pickers.cadre_picker, name="cadre_picker"),
    path("pairings/", views.PairingListView.as_view(), name="pairing_list"),
    path("pairings/bulk/", views.bulk_pair, name="bulk_pair"),
    path("households/<int:pk>/pair/", views.household_pair, name="household_pair"),
    path("households/<int:pk>/handbook/", views.handbook, name="handbook"),
    path("measures/", views.MeasureListView.as_view(), name="measure_list"),
    path("measures/add/", views.MeasureEditView.as_view(), name="measure_add"),
    path("measures/<int:pk>/edit/", views.MeasureEditView.as_view(), name="measure_edit"),
    path("problems/", views.ProblemListView.as_view(), name="guaranteeproblem_list"),
    path("problems/<int:pk>/resolve/", views.problem_resolve, name="problem_resolve"),
    path("visits/", views.VisitListView.as_view(), name="visit_list"),
    path("visit/", views.visit_quick, name="visit_quick"),
    path("visit/<int:pk>/", views.visit_record, name="visit_record"),
    path("cases/<int:case_pk>/assess/", views.assessment_record, name="assessment_record"),
    path("households/<int:pk>/portrait/", portrait_views.portrait_page, name="portrait"),
    path("households/<int:pk>/portrait/add/", portrait_views.portrait_add, name="portrait_add"),
    path("households/<int:pk>/estimate/", portrait_views.estimate_record, name="estimate_record"),
    path("estimates/", portrait_views.estimate_lists, name="estimate_lists"),
    path("estimates/export/", portrait_views.estimate_export, name="estimate_export"),
    path("rhythm/", views.RhythmSettingsListView.as_view(), name="rhythmsettings_list"),
    path("rhythm/add/", views.RhythmSettingsEditView.as_view(), name="rhythmsettings_add"),
    path("rhythm/<int:pk>/edit/", views.RhythmSettingsEditView.as_view(), name="rhythmsettings_edit"),
]
