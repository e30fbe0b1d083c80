"""The diagnostics part of a person's data export (see accounts.gdpr): their personal
plans, the changes they made to bilans, the bilans they started or validated, and the
trajectoire actions they own.

On erasure, a personal plan (one person working alone) is theirs alone and goes with the
account; what they contributed to a team's plan stays, attached to the anonymised account,
as the team's shared work.
"""

from typing import Any

from django.db import transaction

from alliances.journeys.pagecache import cohort_pages_changed

from .models import Action, Bilan, EntryChange, Plan


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def gdpr_export(user) -> dict[str, Any]:
    plans = Plan.objects.filter(owner=user).select_related("grid")
    changes = EntryChange.objects.filter(user=user).select_related(
        "entry__criterion", "entry__bilan__plan"
    )
    bilans = Bilan.objects.filter(created_by=user).select_related("plan")
    validated = Bilan.objects.filter(validated_by=user).select_related("plan")
    actions = Action.objects.filter(owner=user).select_related("plan")
    return {
        "plans_owned": [
            {"plan": p.name, "grid": p.grid.name, "shared_with": p.visibility}
            for p in plans.order_by("created_at", "pk")
        ],
        "bilans_started": [
            {"plan": b.plan.name, "moment": b.moment, "date": _iso(b.date)}
            for b in bilans.order_by("date", "pk")
        ],
        "bilans_validated": [
            {"plan": b.plan.name, "moment": b.moment, "at": _iso(b.validated_at)}
            for b in validated.order_by("validated_at", "pk")
        ],
        "bilan_changes": [
            {
                "plan": c.entry.bilan.plan.name,
                "bilan": c.entry.bilan.moment,
                "criterion": c.entry.criterion.code,
                "at": _iso(c.at),
                "old_level": c.old_level,
                "new_level": c.new_level,
                "old_evidence": c.old_evidence,
                "new_evidence": c.new_evidence,
            }
            for c in changes.order_by("at", "pk")
        ],
        "actions_owned": [
            {
                "plan": a.plan.name,
                "title": a.title,
                "description": a.description,
                "start": _iso(a.start),
                "due": _iso(a.due),
                "status": a.status,
            }
            for a in actions.order_by("start", "pk")
        ],
    }


@transaction.atomic
def gdpr_erase(user) -> None:
    """Their personal plans go; a team plan they happened to own stays with its team."""
    Plan.objects.filter(owner=user, pilot_territory__isnull=True).delete()
    shared = Plan.objects.filter(owner=user, pilot_territory__isnull=False)
    cohort_ids = list(shared.values_list("pilot_territory__cohort_id", flat=True))
    shared.update(owner=None)
    cohort_pages_changed(*cohort_ids)
