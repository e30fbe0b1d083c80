from django.urls import path

from . import (
    calendar_views,
    console,
    feedback_views,
    invitation_views,
    manage_views,
    report_views,
    session_views,
    territory_views,
    views,
    work_views,
)

app_name = "journeys"
# The console's and the invitations' routes come first: their fixed words
# ("invitation", "animation") must win over the cohort slug pattern below.
urlpatterns = [
    *console.urlpatterns,
    *invitation_views.urlpatterns,
    *calendar_views.urlpatterns,
    *feedback_views.urlpatterns,
    *manage_views.urlpatterns,
    *session_views.urlpatterns,
    *work_views.urlpatterns,
    *territory_views.urlpatterns,
    *report_views.urlpatterns,
    path("", views.index, name="index"),
    path("programme/<slug:slug>/", views.programme_detail, name="programme"),
    path("seances/<int:pk>/inscription/", views.session_register_view, name="session_register"),
    path("<slug:slug>/", views.cohort_detail, name="cohort"),
    path("<slug:slug>/calendrier.ics", views.cohort_calendar, name="cohort_calendar"),
]
