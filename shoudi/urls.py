from django.urls import include, path

from shoudi.core import views as core_views

urlpatterns = [
    path("", core_views.HomeView.as_view(), name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("shoudi.accounts.urls")),
    path("regions/", include("shoudi.regions.urls")),
    path("registry/", include("shoudi.registry.urls")),
    path("monitoring/", include("shoudi.monitoring.urls")),
    path("assistance/", include("shoudi.assistance.urls")),
    path("work/", include("shoudi.work.urls")),
    path("campaigns/", include("shoudi.campaigns.urls")),
    path("tasklists/", include("shoudi.tasklists.urls")),
    path("teams/", include("shoudi.teams.urls")),
    path("quality/", include("shoudi.quality.urls")),
    path("projects/", include("shoudi.projects.urls")),
    path("lowincome/", include("shoudi.lowincome.urls")),
    path("sectors/", include("shoudi.sectors.urls")),
    path("employment/", include("shoudi.employment.urls")),
    path("matching/", include("shoudi.matching.urls")),
    path("ledgers/cards/", include("shoudi.cards.urls")),
    path("ledgers/", include("shoudi.ledgers.urls")),
    path("dashboard/", include("shoudi.dashboards.urls")),
    path("system/", include("shoudi.core.urls")),
]

# 403 and 404: Django's views render 403.html / 404.html with the request (the layout and its menu); 500 needs its own
handler500 = "shoudi.core.views.errors.server_error"
