from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "alliances.resources"
    verbose_name = _("resource centre")
    default_auto_field = "django.db.models.BigAutoField"
