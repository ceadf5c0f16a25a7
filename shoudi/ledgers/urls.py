from django.urls import include, path

app_name = "ledgers"

# Work cards and 明白卡 (cards_urls) and the ledger centre (ledger_urls) are built side by side.
urlpatterns = [
    path("", include("shoudi.ledgers.ledger_urls")),
    path("cards/", include("shoudi.ledgers.cards_urls")),
]
