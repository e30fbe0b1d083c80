"""/observatoire/: the public and analyst dashboards, the questionnaire, the console."""

from . import console_urls, dashboard_urls, questionnaire_urls

app_name = "observatory"

urlpatterns = [
    *questionnaire_urls.urlpatterns,
    *console_urls.urlpatterns,
    *dashboard_urls.urlpatterns,
]
