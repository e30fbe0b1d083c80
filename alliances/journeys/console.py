"""The animateur's console: progress, attendance, exports (views)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
