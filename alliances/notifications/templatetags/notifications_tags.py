from typing import Any

from django import template

from alliances.notifications.models import Notification

register = template.Library()


@register.inclusion_tag("notifications/_header.html", takes_context=True)
def notifications_header(context: template.Context) -> dict[str, Any]:
    """The header's link to one's notifications, with the unread count: one query, none
    for an anonymous visitor."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
    return {"show": True, "unread": unread}
