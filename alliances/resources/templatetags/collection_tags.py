"""The collections of a session, shown on the session's page of the parcours."""

from typing import Any

import rules
from django import template

from ..collection_selectors import session_collections

register = template.Library()


@register.inclusion_tag("resources/collections/_session_panel.html", takes_context=True)
def session_collections_panel(context: template.Context, session: Any) -> dict[str, Any]:
    """The session's collections that the viewer may see (one query), and for those who
    animate the session (`can_manage` on the page) and may make collections, a link to
    make one for it. The page itself is only shown to those who may see the session."""
    user: Any = context.get("user")
    can_add = bool(context.get("can_manage")) and bool(
        user is not None and rules.has_perm("resources.add_collection", user)
    )
    return {
        "session": session,
        "collections": session_collections(session, user),
        "can_add": can_add,
    }
