"""Work cards (工作卡), 收入及政策享受明白卡 and 退出告知书, under /ledgers/cards/ in the ``cards`` namespace."""

from django.urls import path

from . import notices, portrait, views

app_name = "cards"

urlpatterns = [
    path("", views.cards_index, name="cards"),
    path("household/<int:pk>/", views.household_card, name="workcard"),
    path("batch/", views.batch_cards, name="workcard_batch"),
    path("batch/job/", views.start_batch_job, name="workcard_job"),
    path("mingbai/<int:pk>/", views.mingbai, name="mingbai"),
    path("exit/<int:pk>/", notices.exit_notice_page, name="exit_notice"),
    path("portrait/<int:pk>/", portrait.portrait_sheet, name="portrait"),
]
