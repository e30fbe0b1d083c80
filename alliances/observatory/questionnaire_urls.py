"""/observatoire/: the questionnaire pages."""

urlpatterns: list = []
