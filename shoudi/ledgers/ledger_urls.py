"""台账中心 (/ledgers/): the centre, a ledger's page, its download, the county's own copies. Names are prefixed
``ledger_`` because the work cards share the ``ledgers`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.center, name="ledger_center"),
    path("view/<slug:name>/", views.detail, name="ledger_detail"),
    path("download/<slug:name>/", views.download, name="ledger_download"),
    path("copy/<slug:name>/", views.copy_ledger, name="ledger_copy"),
    path("saved/<int:pk>/edit/", views.edit_saved, name="ledger_saved_edit"),
    path("saved/<int:pk>/delete/", views.delete_saved, name="ledger_saved_delete"),
]
