from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from alliances.api.api import api
from alliances.resources.views import site_search

urlpatterns = [
    path("", include("alliances.core.urls")),
    path("territoires/", include("alliances.territories.urls")),
    path("acteurs/", include("alliances.actors.urls")),
    path("alliances/", include("alliances.partnerships.urls")),
    path("besoins/", include("alliances.needs.urls")),
    # Before the journeys: their multi-segment routes under parcours/ must not be read as
    # cohort slugs.
    path("parcours/", include("alliances.codev.urls")),
    path("parcours/", include("alliances.discussions.urls")),
    path("parcours/", include("alliances.journeys.urls")),
    path("bilans/", include("alliances.diagnostics.urls")),
    path("ressources/", include("alliances.resources.urls")),
    path("observatoire/", include("alliances.observatory.urls")),
    path("recherche/", site_search, name="search"),
    path("notifications/", include("alliances.notifications.urls")),
    path("taches/", include("alliances.core.task_urls")),
    path("compte/", include("alliances.accounts.urls")),
    path("compte/", include("allauth.urls")),
    # Exempt from CSRF on purpose: see the language form in base.html.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler500 = "alliances.core.views.server_error"
