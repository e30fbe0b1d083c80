from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("codev/_session_panel.html", takes_context=True)
def codev_session_panel(context: template.Context, session: Any) -> dict[str, Any]:
    """The co-development rounds of a session, shown on the session page."""
    return {"session": session, "user": context.get("user")}
