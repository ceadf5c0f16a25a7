from django.urls import path

from . import import_views, pickers, site_views, views

app_name = "registry"

urlpatterns = [
    path("households/", views.HouseholdListView.as_view(), name="household_list"),
    path("households/add/", views.HouseholdEditView.as_view(), name="household_add"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("households/<int:pk>/edit/", views.HouseholdEditView.as_view(), name="household_edit"),
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path("members/add/", views.MemberEditView.as_view(), name="member_add"),
    path("members/<int:pk>/edit/", views.MemberEditView.as_view(), name="member_edit"),
    path("members/<int:pk>/delete/", views.MemberDeleteView.as_view(), name="member_delete"),
    path("incomes/add/", views.IncomeEditView.as_view(), name="incomerecord_add"),
    path("incomes/<int:pk>/edit/", views.IncomeEditView.as_view(), name="incomerecord_edit"),
    path("sites/", site_views.ResettlementSiteListView.as_view(), name="resettlementsite_list"),
    path("sites/add/", site_views.ResettlementSiteEditView.as_view(), name="resettlementsite_add"),
    path("sites/<int:pk>/", site_views.ResettlementSiteDetailView.as_view(), name="resettlementsite_detail"),
    path("sites/<int:pk>/edit/", site_views.ResettlementSiteEditView.as_view(), name="resettlementsite_edit"),
    path("sites/<int:pk>/show/<slug:field>/", site_views.site_unmask, name="resettlementsite_unmask"),
    path("sites/<int:pk>/inspections/add/", site_views.inspection_add, name="siteinspection_add"),
    path("pick/households/", pickers.household_picker, name="household_picker"),
    path("pick/members/", pickers.member_picker, name="member_picker"),
    path("unmask/<str:kind>/<int:pk>/<str:field>/", views.unmask, name="unmask"),
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("import/<int:pk>/commit/", import_views.import_commit, name="import_commit"),
    path("import/<int:pk>/retry-steps/", import_views.import_retry_steps, name="import_retry_steps"),
    path("import/<int:pk>/synonym/", import_views.import_add_synonym, name="import_add_synonym"),
    path("export/", import_views.export_national, name="export_national"),
]
