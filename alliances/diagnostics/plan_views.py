"""Filled by its part (see urls.py)."""

urlpatterns: list = []
