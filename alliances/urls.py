from django.contrib import admin
from django.urls import include, path

from alliances.api.api import api

urlpatterns = [
    path("", include("alliances.core.urls")),
    path("territoires/", include("alliances.territories.urls")),
    path("acteurs/", include("alliances.actors.urls")),
    path("compte/", include("alliances.accounts.urls")),
    path("compte/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
