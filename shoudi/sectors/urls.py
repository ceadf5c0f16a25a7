from django.urls import path

from . import views

app_name = "sectors"

urlpatterns = [
    path("home-teaching/", views.HomeTeachingListView.as_view(), name="hometeaching_list"),
    path("home-teaching/add/", views.hometeaching_add, name="hometeaching_add"),
    path("home-teaching/<int:pk>/", views.hometeaching_detail, name="hometeaching_detail"),
    path("home-teaching/<int:pk>/edit/", views.HomeTeachingEditView.as_view(), name="hometeaching_edit"),
    path("home-teaching/<int:pk>/end/", views.hometeaching_end, name="hometeaching_end"),
    path("home-teaching/<int:pk>/visits/add/", views.visit_add, name="visit_add"),
]
