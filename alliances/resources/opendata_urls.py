"""/ressources/donnees/: the published catalogue as open data."""

from django.urls import path

from . import opendata_views

urlpatterns = [
    path("donnees/ressources.csv", opendata_views.opendata_csv, name="opendata_csv"),
    path("donnees/ressources.json", opendata_views.opendata_json, name="opendata_json"),
]
