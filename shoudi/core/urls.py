from django.urls import include, path

from . import files, views
from .views import holidays, vocabularies

app_name = "core"

urlpatterns = [
    path("changes/", views.ObjectChangeListView.as_view(), name="objectchange_list"),
    path("access-log/", views.AccessLogListView.as_view(), name="accesslog_list"),
    path("jobs/", include("shoudi.core.jobs.urls")),
    path("vocabularies/", vocabularies.vocabulary_list, name="vocabulary_list"),
    path("vocabularies/<str:key>/", vocabularies.vocabulary_detail, name="vocabulary_detail"),
    path("vocabularies/<str:key>/synonyms/", vocabularies.synonym_add, name="synonym_add"),
    path("files/<slug:kind>/<int:pk>/", files.serve, name="served_file"),
    path("holidays/", holidays.HolidayListView.as_view(), name="holiday_list"),
    path("holidays/add/", holidays.HolidayEditView.as_view(), name="holiday_add"),
    path("holidays/<int:pk>/edit/", holidays.HolidayEditView.as_view(), name="holiday_edit"),
    path("holidays/<int:pk>/delete/", holidays.HolidayDeleteView.as_view(), name="holiday_delete"),
    path("synonyms/<int:pk>/delete/", vocabularies.synonym_delete, name="synonym_delete"),
]
