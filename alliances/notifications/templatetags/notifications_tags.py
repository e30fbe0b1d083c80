from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("notifications/_header.html", takes_context=True)
def notifications_header(context: template.Context) -> dict[str, Any]:
    """The header's link to one's notifications, with the unread count."""
    return {"user": context.get("user")}
