from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "alliances.needs"
    verbose_name = _("needs")
    default_auto_field = "django.db.models.BigAutoField"
