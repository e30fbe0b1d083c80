from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodevConfig(AppConfig):
    name = "alliances.codev"
    verbose_name = _("co-development")
    default_auto_field = "django.db.models.BigAutoField"
