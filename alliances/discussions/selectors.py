"""Reads on the discussions: lists with their unread markers, a thread's page of posts.

Each list is one query whatever its length: the post count and the reader's own read
marker are subqueries of the thread query.
"""

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from alliances.journeys.models import CohortMember

from .handles import cohort_handles
from .models import Attachment, Post, Thread, ThreadRead
from .rules import Viewer


def with_markers(threads: QuerySet[Thread], viewer: Viewer) -> QuerySet[Thread]:
    """Threads with `post_count`, and `read_at` (the reader's last visit, None if never)."""
    counts = (
        Post.objects.filter(thread=OuterRef("pk"))
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    threads = threads.select_related("author", "pilot_territory").annotate(
        post_count=Coalesce(Subquery(counts), 0)
    )
    if viewer.user_id is not None:
        threads = threads.annotate(
            read_at=Subquery(
                ThreadRead.objects.filter(thread=OuterRef("pk"), user_id=viewer.user_id).values(
                    "read_at"
                )[:1]
            )
        )
    return threads.latest_first()


def is_unread(thread: Thread) -> bool:
    read_at = getattr(thread, "read_at", None)
    return read_at is None or read_at < thread.last_post_at


def visible_threads(cohort_id: int, viewer: Viewer) -> QuerySet[Thread]:
    """Every thread of the cohort the viewer may read: the cohort's and their territory's
    (all the territories' for the animation)."""
    threads = Thread.objects.filter(cohort_id=cohort_id)
    if not viewer.member:
        return threads.none()
    if viewer.moderator:
        return threads
    return threads.filter(
        Q(pilot_territory__isnull=True) | Q(pilot_territory_id=viewer.territory_id)
    )


def posts_of(thread: Thread) -> QuerySet[Post]:
    return (
        Post.objects.filter(thread=thread)
        .select_related("author", "hidden_by")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )


def audience_handles(cohort_id: int, territory_id: int | None) -> list[tuple[str, CohortMember]]:
    """The handles of the people who may read a thread of this place of the cohort: who
    may be mentioned there. One query."""
    handles = cohort_handles(cohort_id)
    return sorted(
        (
            (handle, member)
            for handle, member in handles.items()
            if Viewer(
                user_id=member.user_id, role=member.role, territory_id=member.pilot_territory_id
            ).sees_territory(territory_id)
        ),
        key=lambda item: item[0],
    )
