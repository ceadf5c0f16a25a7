from django.urls import path

from . import views

app_name = "lowincome"

urlpatterns = [
    path("", views.RegisterView.as_view(), name="register"),
    path("household/<int:pk>/designate/", views.designation_add, name="designation_add"),
    path("household/<int:pk>/action/", views.action_add, name="action_add"),
    path("household/<int:pk>/care/", views.care_add, name="care_add"),
    path("designations/<int:pk>/end/", views.designation_end, name="designation_end"),
    path("actions/<int:pk>/<slug:action>/", views.action_decide, name="action_decide"),
    path("import/", views.designation_import, name="designation_import"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/withdraw/", views.import_withdraw, name="import_withdraw"),
    path("settings/", views.SettingsListView.as_view(), name="lowincomesettings_list"),
    path("settings/add/", views.SettingsEditView.as_view(), name="lowincomesettings_add"),
    path("settings/<int:pk>/edit/", views.SettingsEditView.as_view(), name="lowincomesettings_edit"),
]
