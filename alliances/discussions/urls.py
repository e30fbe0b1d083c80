"""Discussions of a cohort and of its pilot territories.

Mounted under parcours/ before the journeys: every route has a fixed word after the
cohort slug, or starts with "discussions/", so none is read as a cohort's page.
"""

from django.urls import path

from . import views

app_name = "discussions"
urlpatterns = [
    path("<slug:slug>/discussions/", views.cohort_threads, name="cohort"),
    path(
        "<slug:slug>/discussions/territoire/<int:pk>/",
        views.territory_threads,
        name="territory",
    ),
    path("discussions/fils/<int:pk>/", views.thread_detail, name="thread"),
    path("discussions/fils/<int:pk>/suivre/", views.thread_follow, name="follow"),
    path("discussions/fils/<int:pk>/verrouiller/", views.thread_lock, name="lock"),
    path("discussions/fils/<int:pk>/epingler/", views.thread_pin, name="pin"),
    path("discussions/messages/<int:pk>/modifier/", views.post_edit, name="post_edit"),
    path("discussions/messages/<int:pk>/masquer/", views.post_hide, name="post_hide"),
    path("discussions/messages/<int:pk>/retablir/", views.post_unhide, name="post_unhide"),
    path("discussions/pieces-jointes/<int:pk>/", views.attachment_download, name="attachment"),
]
