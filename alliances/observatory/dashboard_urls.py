"""/observatoire/: the dashboard pages."""

urlpatterns: list = []
