"""/ressources/collections/: the curated lists of resources (collection_views)."""

from .collection_views import urlpatterns

__all__ = ["urlpatterns"]
