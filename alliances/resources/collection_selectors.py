"""Reads of collections, each in a fixed number of queries (the pages lock them in tests).

Who sees a collection is the `resources.view_collection` rule: public ones to anyone; a
private one to its author, the members of its session's cohort and admins. The QuerySet
below says the same in SQL, for lists.
"""

from typing import Any

from django.db.models import Count, Q, QuerySet

from alliances.journeys.models import Cohort, CohortMember, CohortRole, Session

from .models import Collection, CollectionItem, Resource


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def collections_visible_to(user: Any) -> QuerySet[Collection]:
    if not _active(user):
        return Collection.objects.filter(is_public=True)
    if user.is_platform_admin:
        return Collection.objects.all()
    cohorts = CohortMember.objects.filter(user=user).values("cohort_id")
    return Collection.objects.filter(
        Q(is_public=True) | Q(owner=user) | Q(session__cohort_id__in=cohorts)
    )


def visible_resources(user: Any) -> QuerySet[Resource]:
    """The resources a collection shows to `user`: published ones to those who may not
    see drafts (a resource may have been unpublished since it was added)."""
    return Resource.objects.visible_to(user)


def mark_sessions_shown(collections: list[Collection], user: Any) -> list[Collection]:
    """Set `session_shown` on each: a public collection may serve a session of a private
    cohort, whose title is then not shown to those who may not see the cohort. One query
    when some collection has a session."""
    cohort_ids = {c.session.cohort_id for c in collections if c.session is not None}
    visible = set(
        Cohort.objects.visible_to(user).filter(pk__in=cohort_ids).values_list("pk", flat=True)
    ) if cohort_ids else set()
    for collection in collections:
        collection.session_shown = (  # type: ignore[attr-defined]
            collection.session is not None and collection.session.cohort_id in visible
        )
    return collections


def collection_list(user: Any) -> list[Collection]:
    """The collections `user` may see, newest change first, with their session (when the
    user may see its cohort) and the number of resources shown to them (`shown_count`):
    two queries."""
    shown = Q(items__resource__in=visible_resources(user).values("pk"))
    return mark_sessions_shown(list(
        collections_visible_to(user)
        .select_related("owner", "session__cohort")
        .annotate(shown_count=Count("items", filter=shown))
        .order_by("-updated_at", "-id")
    ), user)


def collection_items(collection: Collection, user: Any) -> list[CollectionItem]:
    """The items `user` may see, in order, with their resource: one query."""
    return list(
        collection.items.filter(resource__in=visible_resources(user).values("pk"))
        .select_related("resource")
        .order_by("position", "id")
    )


def session_collections(session: Session, user: Any) -> list[Collection]:
    """The collections of a session that `user` may see, with the number of resources
    shown to them (`shown_count`): one query."""
    shown = Q(items__resource__in=visible_resources(user).values("pk"))
    return list(
        collections_visible_to(user)
        .filter(session=session)
        .select_related("owner")
        .annotate(shown_count=Count("items", filter=shown))
        .order_by("title", "id")
    )


def sessions_curated_by(user: Any) -> QuerySet[Session]:
    """The sessions `user` may make a collection for: those of the cohorts they animate;
    every session for an admin."""
    sessions = Session.objects.select_related("cohort").order_by("cohort__name", "start", "id")
    if not _active(user):
        return sessions.none()
    if user.is_platform_admin:
        return sessions
    animated = CohortMember.objects.filter(user=user, role=CohortRole.ANIMATEUR)
    return sessions.filter(cohort_id__in=animated.values("cohort_id"))
