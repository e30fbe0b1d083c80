"""Inviting people to a cohort and accepting an invitation (views)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
