from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "alliances.partnerships"
    verbose_name = _("alliances")
    default_auto_field = "django.db.models.BigAutoField"
