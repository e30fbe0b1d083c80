"""The notifications' part of a person's data export (see accounts.gdpr): their
notifications and their e-mail preference."""

from typing import Any

from .models import DigestPreference, Notification, ReminderSent
from .selectors import digest_frequency_of


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def gdpr_export(user) -> dict[str, Any]:
    notifications = Notification.objects.for_user(user).select_related("cohort")
    return {
        "email_frequency": digest_frequency_of(user),
        "notifications": [
            {
                "kind": n.kind,
                "title": n.title,
                "url": n.url,
                "cohort": n.cohort.name if n.cohort else None,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
                "emailed_at": _iso(n.emailed_at),
            }
            for n in notifications.order_by("created_at", "pk")
        ],
    }


def gdpr_erase(user) -> None:
    """Notifications are about the person only: they go with the account. Those telling
    others what the person did keep their news, without the person's name."""
    from alliances.accounts.gdpr import scrub

    Notification.objects.filter(recipient=user).delete()
    DigestPreference.objects.filter(user=user).delete()
    ReminderSent.objects.filter(user=user).delete()
    about = list(Notification.objects.filter(actor=user).only("title"))
    for notification in about:
        notification.title = scrub(notification.title, user)
    Notification.objects.bulk_update(about, ["title"], batch_size=500)
