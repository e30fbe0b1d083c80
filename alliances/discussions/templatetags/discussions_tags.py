"""The discussions panel of the cohort space."""

from typing import Any

from django import template

from ..rules import viewer_of
from ..selectors import is_unread, visible_threads, with_markers

register = template.Library()
PANEL_SIZE = 5


@register.inclusion_tag("discussions/_cohort_panel.html", takes_context=True)
def discussions_cohort_panel(context: template.Context, cohort: Any) -> dict[str, Any]:
    """The five most recently active threads the viewer may read, new ones marked.

    Two queries: the viewer's role in the cohort, then the threads with their post counts
    and the viewer's read markers. Nothing (and no query) for anonymous visitors; nothing
    for people outside the cohort: discussions are never public.
    """
    user = context.get("user")
    result: dict[str, Any] = {"cohort": cohort, "shown": False}
    if not getattr(user, "is_authenticated", False):
        return result
    viewer = viewer_of(user, cohort.pk)
    if not viewer.member:
        return result
    threads = list(
        with_markers(visible_threads(cohort.pk, viewer), viewer).order_by("-last_post_at", "-pk")[
            :PANEL_SIZE
        ]
    )
    for thread in threads:
        thread.unread = is_unread(thread)
    result.update(shown=True, threads=threads)
    return result
