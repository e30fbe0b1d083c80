"""Routes filled in by their views module."""

urlpatterns: list = []
