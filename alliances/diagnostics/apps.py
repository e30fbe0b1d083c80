from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticsConfig(AppConfig):
    name = "alliances.diagnostics"
    verbose_name = _("bilan · cible · trajectoire")
    default_auto_field = "django.db.models.BigAutoField"
