"""/observatoire/: the dashboard pages."""

from django.urls import path

from . import dashboard_views

urlpatterns = [
    path("", dashboard_views.index, name="index"),
    path("vagues/<int:pk>/", dashboard_views.dashboard, name="dashboard"),
    path("vagues/<int:pk>/resultats.csv", dashboard_views.download_csv, name="dashboard_csv"),
    path("vagues/<int:pk>/resultats.xlsx", dashboard_views.download_xlsx,
         name="dashboard_xlsx"),
    path("vagues/<int:pk>/graphique.svg", dashboard_views.download_svg, name="dashboard_svg"),
]
