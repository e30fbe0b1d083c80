"""Filled by the parcours work under way."""

urlpatterns: list = []
