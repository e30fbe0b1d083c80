from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "alliances.core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import audit

        audit.mirror_admin_log()  # every Django admin action gets its audit line
