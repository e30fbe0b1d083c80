"""The diagnostics pages, one module per part (each module owns its `urlpatterns`)."""

from django.urls import include, path

app_name = "diagnostics"

urlpatterns = [
    path("", include("alliances.diagnostics.plan_views")),
    path("", include("alliances.diagnostics.picture_views")),
    path("", include("alliances.diagnostics.cohort_views")),
    path("", include("alliances.diagnostics.grid_views")),
]
