from django.apps import AppConfig


class ActorsConfig(AppConfig):
    name = "alliances.actors"
    default_auto_field = "django.db.models.BigAutoField"
