from django.urls import path

from . import import_views, views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("add/", views.project_add, name="project_add"),
    path("import/", import_views.project_import, name="project_import"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/<slug:action>/", views.project_act, name="project_act"),
    path("plan/", views.annual_plan, name="annual_plan"),
    path("funds/report/", views.funds_report, name="funds_report"),
    path("inspections/", views.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/add/", views.InspectionEditView.as_view(), name="inspection_add"),
    path("inspections/<int:pk>/", views.InspectionEditView.as_view(), name="inspection_edit"),
    path("assets/", views.AssetListView.as_view(), name="asset_list"),
    path("assets/<int:pk>/", views.asset_detail, name="asset_detail"),
    path("assets/<int:pk>/<slug:action>/", views.asset_act, name="asset_act"),
    path("distribution/<int:pk>/", views.distribution_detail, name="distribution_detail"),
    path("distribution/<int:pk>/<slug:action>/", views.distribution_act, name="distribution_act"),
]
