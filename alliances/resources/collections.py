"""Writes of collections: an animateur's curated, ordered list of resources for a session.

Every function is keyword-only and atomic. Items keep dense positions (1…n): adding puts
a resource last, removing closes the gap, moving swaps two neighbours. The collection's
row is locked first, so two curators editing the same list at once queue rather than give
two items the same position. Permissions are the views' business (rules.py); what the
data must respect — a session the curator animates, published resources only, no
resource twice — is checked here, with French messages.
"""

from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.accounts.models import User
from alliances.journeys.models import Session

from .collection_selectors import sessions_curated_by
from .models import Collection, CollectionItem, Resource, ResourceStatus


def _check_session(*, by: User, session: Session | None, current_id: int | None) -> None:
    """The session must be one of a cohort `by` animates (any, for an admin). A session
    already set stays allowed: the owner may edit the title after leaving the cohort."""
    if session is None or session.pk == current_id:
        return
    if not sessions_curated_by(by).filter(pk=session.pk).exists():
        raise ValidationError(
            {"session": _("Choose a session of a cohort you animate.")}
        )


def _touch(collection: Collection) -> None:
    collection.updated_at = timezone.now()
    Collection.objects.filter(pk=collection.pk).update(updated_at=collection.updated_at)


def _locked(collection: Collection) -> Collection:
    return Collection.objects.select_for_update().get(pk=collection.pk)


@transaction.atomic
def collection_create(
    *,
    by: User,
    title: str,
    description: str = "",
    session: Session | None = None,
    is_public: bool = True,
) -> Collection:
    collection = Collection(
        title=title.strip(), description=description.strip(), owner=by, session=session,
        is_public=is_public,
    )
    collection.full_clean(exclude=["owner"])
    _check_session(by=by, session=session, current_id=None)
    collection.save()
    return collection


@transaction.atomic
def collection_update(
    *,
    collection: Collection,
    by: User,
    title: str,
    description: str = "",
    session: Session | None = None,
    is_public: bool = True,
) -> Collection:
    current = _locked(collection)
    _check_session(by=by, session=session, current_id=current.session_id)
    current.title = title.strip()
    current.description = description.strip()
    current.session = session
    current.is_public = is_public
    current.full_clean(exclude=["owner"])
    current.save()
    return current


@transaction.atomic
def collection_delete(*, collection: Collection) -> None:
    collection.delete()


@transaction.atomic
def collection_item_add(
    *, collection: Collection, resource: Resource, note: str = ""
) -> CollectionItem:
    """Put a published resource at the end of the list."""
    collection = _locked(collection)
    if resource.status != ResourceStatus.PUBLISHED:
        raise ValidationError(
            {"resource": _("Only published resources can be added to a collection.")}
        )
    if collection.items.filter(resource=resource).exists():
        raise ValidationError(
            {"resource": _("“%(title)s” is already in this collection.")
             % {"title": resource.title}}
        )
    last = collection.items.aggregate(last=Max("position"))["last"] or 0
    item = CollectionItem(collection=collection, resource=resource, position=last + 1,
                          note=note.strip())
    item.full_clean(exclude=["collection", "resource"], validate_constraints=False)
    item.save()
    _touch(collection)
    return item


@transaction.atomic
def collection_item_remove(*, item: CollectionItem) -> None:
    collection = _locked(item.collection)
    CollectionItem.objects.filter(pk=item.pk).delete()
    _renumber(collection)
    _touch(collection)


def _renumber(collection: Collection) -> list[CollectionItem]:
    items = list(collection.items.order_by("position", "id"))
    changed = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    CollectionItem.objects.bulk_update(changed, ["position"])
    return items


@transaction.atomic
def collection_item_move(
    *, item: CollectionItem, direction: Literal["up", "down"]
) -> CollectionItem:
    """Swap the item with its neighbour above (`up`) or below (`down`)."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a resource up or down."))
    collection = _locked(item.collection)
    items = _renumber(collection)
    index = next((i for i, other in enumerate(items) if other.pk == item.pk), None)
    if index is None:
        raise ValidationError(_("This resource is no longer in the collection."))
    other = index - 1 if direction == "up" else index + 1
    if other < 0:
        raise ValidationError(_("“%(title)s” is already first.")
                              % {"title": items[index].resource.title})
    if other >= len(items):
        raise ValidationError(_("“%(title)s” is already last.")
                              % {"title": items[index].resource.title})
    moved, neighbour = items[index], items[other]
    moved.position, neighbour.position = neighbour.position, moved.position
    CollectionItem.objects.bulk_update([moved, neighbour], ["position"])
    _touch(collection)
    return moved


@transaction.atomic
def collection_item_note(*, item: CollectionItem, note: str) -> CollectionItem:
    """The curator's note: why this resource, for whom."""
    item = CollectionItem.objects.select_for_update().get(pk=item.pk)
    item.note = note.strip()
    item.full_clean(exclude=["collection", "resource"], validate_constraints=False)
    item.save(update_fields=["note"])
    _touch(item.collection)
    return item
