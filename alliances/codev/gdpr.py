"""The co-development part of a person's data export (see accounts.gdpr): the rounds they
brought a problem to, their notes, their action plans and their learnings."""

from typing import Any

from .models import Learning, Note, Round
from .selectors import action_items_for


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def gdpr_export(user) -> dict[str, Any]:
    rounds = Round.objects.filter(client=user).select_related("session")
    notes = Note.objects.filter(author=user).select_related("round__session")
    learnings = Learning.objects.filter(user=user).select_related("round__session")
    return {
        "rounds_as_client": [
            {"session": r.session.title, "start": _iso(r.session.start), "problem": r.problem}
            for r in rounds.order_by("session__start", "position")
        ],
        "notes": [
            {
                "session": n.round.session.title,
                "step": n.step,
                "text": n.text,
                "at": _iso(n.created_at),
            }
            for n in notes.order_by("created_at", "pk")
        ],
        "action_plan": [
            {
                "session": a.round.session.title,
                "action": a.title,
                "due": _iso(a.due),
                "done": a.done,
            }
            for a in action_items_for(user)
        ],
        "learnings": [
            {"session": item.round.session.title, "text": item.text}
            for item in learnings.order_by("updated_at", "pk")
        ],
    }
