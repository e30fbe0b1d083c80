from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservatoryConfig(AppConfig):
    name = "alliances.observatory"
    verbose_name = _("observatoire des partenariats")
    default_auto_field = "django.db.models.BigAutoField"
