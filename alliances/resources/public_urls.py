"""The public centre: search, référentiel, resource pages and their files."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("referentiel/", views.referentiel, name="referentiel"),
    path("referentiel/<int:pk>/", views.node, name="node"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/fichiers/<int:file_pk>/", views.file_download, name="file"),
]
