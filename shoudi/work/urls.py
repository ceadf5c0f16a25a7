from django.urls import path

from . import import_views, pickers, views

app_name = "work"

urlpatterns = [
    path("problems/", views.ProblemListView.as_view(), name="problem_list"),
    path("problems/add/", views.problem_add, name="problem_add"),
    path("problems/import/", import_views.problem_import, name="problem_import"),
    path("problems/pick/responsible/", pickers.responsible_picker, name="responsible_picker"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/<slug:action>/", views.problem_act, name="problem_act"),
]
