"""Private calendar feeds: per person and per cohort, at revocable token URLs (views)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
