"""台账中心 (/ledgers/, the ``ledgers`` namespace): the centre, a ledger's page, its download, the county's own
copies. (The work cards, an app of their own, live under /ledgers/cards/ in the ``cards`` namespace.)"""

from django.urls import path

from . import views

app_name = "ledgers"

urlpatterns = [
    path("", views.center, name="ledger_center"),
    path("view/<slug:name>/", views.detail, name="ledger_detail"),
    path("download/<slug:name>/", views.download, name="ledger_download"),
    path("copy/<slug:name>/", views.copy_ledger, name="ledger_copy"),
    path("saved/<int:pk>/edit/", views.edit_saved, name="ledger_saved_edit"),
    path("saved/<int:pk>/delete/", views.delete_saved, name="ledger_saved_delete"),
]
