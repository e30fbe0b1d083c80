"""The alliances part of a person's data export and erasure (see accounts.gdpr).

An alliance, its notes and its measures are the partner organisations' shared record, not
the person's: erasing an account keeps them and removes the link to its author."""

from typing import Any

from .models import Alliance, FollowUpNote, IndicatorValue


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def gdpr_export(user) -> dict[str, Any]:
    created = Alliance.objects.filter(created_by=user).order_by("created_at", "pk")
    notes = FollowUpNote.objects.filter(author=user).select_related("alliance")
    measures = IndicatorValue.objects.filter(author=user).select_related("alliance")
    return {
        "alliances_created": [
            {"id": a.pk, "title": a.title, "created_at": _iso(a.created_at)} for a in created
        ],
        "follow_up_notes": [
            {"alliance": n.alliance.title, "date": _iso(n.date), "text": n.text,
             "created_at": _iso(n.created_at)}
            for n in notes.order_by("created_at", "pk")
        ],
        "indicator_values": [
            {"alliance": m.alliance.title, "indicator": m.kind, "label": m.label,
             "date": _iso(m.date), "value": str(m.value)}
            for m in measures.order_by("created_at", "pk")
        ],
    }


def gdpr_erase(user) -> None:
    Alliance.objects.filter(created_by=user).update(created_by=None)
    FollowUpNote.objects.filter(author=user).update(author=None)
    IndicatorValue.objects.filter(author=user).update(author=None)
