"""The observatory's part of a person's data export (see accounts.gdpr): the survey responses
they gave through the public questionnaire while signed in.

Respondents need no account, so most responses belong to nobody; a response is tied to an
account only when its respondent was signed in (`WebResponse.user`).

On erasure, as elsewhere in Alliances, what is the person's alone goes with the account and
what has become shared work stays without them: an unfinished response (a draft, never
counted anywhere) is deleted; a sent response stays, unlinked from the account. Once sent, it
is one anonymous row of the wave's statistics, possibly already published: deleting it would
change figures others have read and cited, and, unlinked, nothing ties it to the person.
"""

from typing import Any

from django.db import transaction

from .models import WaveQuestion, WebResponse


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def gdpr_export(user) -> dict[str, Any]:
    responses = list(
        WebResponse.objects.filter(user=user)
        .select_related("wave__survey")
        .order_by("started_at", "pk")
    )
    labels = {
        (wave_id, code): label
        for wave_id, code, label in WaveQuestion.objects.filter(
            wave__in={r.wave_id for r in responses}
        ).values_list("wave_id", "question__code", "label")
    }
    return {
        "survey_responses": [
            {
                "survey": r.wave.survey.title,
                "wave": r.wave.label,
                "status": r.status,
                "started_at": _iso(r.started_at),
                "updated_at": _iso(r.updated_at),
                "submitted_at": _iso(r.submitted_at),
                "answers": [
                    {"question": code, "label": labels.get((r.wave_id, code), ""),
                     "answer": value}
                    for code, value in r.answers.items()
                ],
            }
            for r in responses
        ],
    }


@transaction.atomic
def gdpr_erase(user) -> None:
    """Drafts go; sent responses stay in the statistics, no longer tied to the account."""
    WebResponse.objects.filter(user=user, status=WebResponse.Status.DRAFT).delete()
    WebResponse.objects.filter(user=user).update(user=None)
