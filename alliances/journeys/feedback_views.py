"""The short feedback form of a session (views)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
