from django.urls import path

from . import views

app_name = "tasklists"

urlpatterns = [
    path("assignments/", views.AssignmentListView.as_view(), name="assignment_list"),
    path("month/", views.month_view, name="month"),
    path("lists/add/", views.list_add, name="list_add"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("tasks/add/", views.task_add, name="task_add"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/<slug:action>/", views.task_act, name="task_act"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/<slug:action>/", views.assignment_act, name="assignment_act"),
]
