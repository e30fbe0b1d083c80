"""/observatoire/: the console pages."""

urlpatterns: list = []
