"""Work cards (工作卡) and 收入及政策享受明白卡, under /ledgers/cards/ in the ``cards`` namespace."""

from django.urls import path

from . import portrait, views

app_name = "cards"

urlpatterns = [
    path("", views.cards_index, name="cards"),
    path("household/<int:pk>/", views.household_card, name="workcard"),
    path("batch/", views.batch_cards, name="workcard_batch"),
    path("batch/job/", views.start_batch_job, name="workcard_job"),
    path("mingbai/<int:pk>/", views.mingbai, name="mingbai"),
    path("portrait/<int:pk>/", portrait.portrait_sheet, name="portrait"),
]
