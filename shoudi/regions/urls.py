from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("", views.RegionListView.as_view(), name="region_list"),
    path("add/", views.RegionEditView.as_view(), name="region_add"),
    path("import/", views.RegionImportView.as_view(), name="region_import"),
    path("import/<int:pk>/", views.region_import_job, name="region_import_job"),
    path("pick/", views.pick_region, name="pick"),
    path("<int:pk>/", views.RegionDetailView.as_view(), name="region_detail"),
    path("<int:pk>/edit/", views.RegionEditView.as_view(), name="region_edit"),
    path("<int:pk>/delete/", views.RegionDeleteView.as_view(), name="region_delete"),
]
