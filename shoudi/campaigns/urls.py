from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign_list"),
    path("add/", views.campaign_edit, name="campaign_add"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/problems/add/", views.problem_add, name="problem_add"),
    path("<int:pk>/items/add/", views.item_add, name="item_add"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/report/", views.item_report, name="item_report"),
    path("persons/<int:pk>/phone/", views.person_phone, name="person_phone"),
]
