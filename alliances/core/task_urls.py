"""The back-office page of the failed background tasks (core.task_views)."""

from django.urls import path

from . import task_views

app_name = "tasks"
urlpatterns = [
    path("echecs/", task_views.failed_tasks, name="failed"),
]
