"""Test data for the resource centre, made through the services."""

from alliances.resources.models import Resource, ResourceKind, ResourceStatus
from alliances.resources.services import resource_create


def make_resource(
    *,
    by=None,
    title: str = "Fiche pratique : animer un dialogue territorial",
    kind: str = ResourceKind.FICHE,
    status: str = ResourceStatus.PUBLISHED,
    **fields,
) -> Resource:
    """A resource (published unless told otherwise) with the given fields."""
    fields.setdefault("summary", "Réunir associations, entreprises et collectivités.")
    fields.setdefault("body", "Commencer par **cartographier** les acteurs du territoire.")
    return resource_create(by=by, kind=kind, title=title, status=status, **fields)
