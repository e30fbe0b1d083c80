from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "alliances.journeys"
    verbose_name = _("journeys")
    default_auto_field = "django.db.models.BigAutoField"
