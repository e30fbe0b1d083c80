"""Reads of co-development rounds, for the pages and for other apps (the trajectoire)."""

from dataclasses import dataclass, field

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.fields import CharField

from alliances.journeys.models import CohortMember
from alliances.lib import codev

from .models import ActionItem, Learning, Note, Round
from .steps import step_name


def action_items_for(user) -> QuerySet[ActionItem]:
    """Every action of `user`'s plans across rounds, open ones first, by date.

    Each carries its round, session and cohort (one query). The trajectoire (issue 4)
    reads a client's action plans through this.
    """
    return (
        ActionItem.objects.for_user(user)
        .select_related("round__session__cohort")
        .order_by("done", "due", "round_id", "position")
    )


def round_with_role(pk: int, user) -> Round | None:
    """The round with its session, and `viewer_role`: the user's cohort role — one query."""
    role: Subquery | Value
    if getattr(user, "is_authenticated", False):
        role = Subquery(
            CohortMember.objects.filter(cohort_id=OuterRef("session__cohort_id"), user=user).values(
                "role"
            )[:1]
        )
    else:
        role = Value(None, output_field=CharField())
    return (
        Round.objects.select_related("session__cohort", "client", "facilitator")
        .annotate(viewer_role=role)
        .filter(pk=pk)
        .first()
    )


@dataclass
class StepNotes:
    step: codev.Step
    number: int
    name: str
    notes: list[Note] = field(default_factory=list)


def board_of(round: Round) -> list[StepNotes]:
    """The notes of every step reached so far, in step order (one query)."""
    reached = min(round.step_index, len(codev.STEPS) - 1)
    board = [
        StepNotes(step=step, number=n, name=str(step_name(step)))
        for n, step in enumerate(codev.STEPS, start=1)
    ]
    for note in round.notes.select_related("author").order_by("position"):
        board[codev.STEP_CODES.index(note.step)].notes.append(note)
    return [entry for entry in board if entry.number - 1 <= reached or entry.notes]


def action_plan_of(round: Round) -> list[ActionItem]:
    return list(round.action_items.order_by("position"))


def learnings_of(round: Round) -> list[Learning]:
    return list(round.learnings.select_related("user").order_by("updated_at", "pk"))


def rounds_of_cohort(cohort_id: int) -> list[Round]:
    """A cohort's rounds with their session, client and action plan, in order (two queries).

    The cohort's end report lists them.
    """
    return list(
        Round.objects.filter(session__cohort_id=cohort_id)
        .select_related("session", "client")
        .prefetch_related("action_items")
        .order_by("session__start", "position")
    )
