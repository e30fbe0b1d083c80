"""The needs' part of a person's data export (see accounts.gdpr): the needs they posted,
the contact requests they sent or answered, with their messages and replies.

On erasure the needs and requests stay (they belong to the organisations), but the person's
own words in the requests go: the messages they wrote and the replies they gave are
replaced, and the links to their account are cut by the account's anonymisation itself.
"""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from .models import ContactRequest, Need


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def gdpr_export(user) -> dict[str, Any]:
    needs = Need.objects.filter(created_by=user).select_related("organisation", "fragility")
    requests = (
        ContactRequest.objects.filter(Q(sent_by=user) | Q(answered_by=user))
        .select_related("need", "sender", "recipient")
        .order_by("created_at", "pk")
    )
    return {
        "needs": [
            {
                "id": need.pk,
                "organisation": need.organisation.name,
                "title": need.title,
                "description": need.description,
                "kind": need.kind,
                "fragility": need.fragility_id,
                "status": need.status,
                "created_at": _iso(need.created_at),
            }
            for need in needs.order_by("created_at", "pk")
        ],
        "contact_requests": [
            {
                "id": request.pk,
                "need": request.need.title,
                "from": request.sender.name,
                "to": request.recipient.name,
                "sent_by_me": request.sent_by_id == user.pk,
                "message": request.message if request.sent_by_id == user.pk else None,
                "answered_by_me": request.answered_by_id == user.pk,
                "reply": request.reply if request.answered_by_id == user.pk else None,
                "status": request.status,
                "created_at": _iso(request.created_at),
                "answered_at": _iso(request.answered_at),
            }
            for request in requests
        ],
    }


def gdpr_erase(user) -> None:
    removed = _("(message removed: its author deleted their account)")
    ContactRequest.objects.filter(sent_by=user).update(message=removed, sent_by=None)
    ContactRequest.objects.filter(answered_by=user).exclude(reply="").update(reply=removed)
    ContactRequest.objects.filter(answered_by=user).update(answered_by=None)
    Need.objects.filter(created_by=user).update(created_by=None)
