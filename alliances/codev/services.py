"""Writes on co-development rounds: every one named, typed and atomic.

Each write locks the round's row (select_for_update) and bumps its `version`, which the
pollers of every open browser compare with theirs. The clock moves only through the pure
functions of `alliances.lib.codev`. A facilitator's click carries the step it was made
on (`expected_step`): two clicks on "next step" (a double click, or two animateurs at
once) are serialised by the lock, and the second, made on a step that is gone, is refused
instead of skipping a step.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.accounts.models import User
from alliances.journeys.models import (
    Attendance,
    CohortMember,
    CohortRole,
    Registration,
    Session,
)
from alliances.lib import codev

from .models import (
    ACTION_TITLE_MAX_CHARS,
    LEARNING_MAX_CHARS,
    NOTE_MAX_CHARS,
    ActionItem,
    Learning,
    Note,
    Round,
)

PARIS = ZoneInfo("Europe/Paris")
CODEV_KIND = "codeveloppement"
# An action plan looks ahead for the follow-up the lab does (36 months), no further.
PLAN_HORIZON_DAYS = 3 * 366
SYNTHESE = codev.STEP_CODES.index("synthese")
APPRENTISSAGES = codev.STEP_CODES.index("apprentissages")


@dataclass(frozen=True)
class ActionInput:
    title: str
    due: datetime.date | None


def session_day(session: Session) -> datetime.date:
    return timezone.localtime(session.start, PARIS).date()


def _lock(round: Round) -> Round:
    return Round.objects.select_related("session").select_for_update(of=("self",)).get(pk=round.pk)


def _refuse(message: str, code: str = "state") -> ValidationError:
    return ValidationError(message, code=code)


def _finished_error() -> ValidationError:
    return _refuse(_("This round is already finished."))


@transaction.atomic
def round_create(
    *,
    session: Session,
    client: User,
    facilitator: User,
    problem: str = "",
    consultants: Iterable[User] | None = None,
    timeboxes: dict[str, int] | None = None,
) -> Round:
    """A new round of a co-development session, not started yet.

    Consultants default to the others present (attendance taken), else those registered,
    else every participant of the cohort; the client is never a consultant.
    """
    # Locking the session numbers concurrent rounds one after the other.
    session = Session.objects.select_for_update().get(pk=session.pk)
    errors: dict[str, list[str]] = {}
    if session.kind_id != CODEV_KIND:
        errors["session"] = [_("Rounds belong to co-développement sessions only.")]
    roles = dict(
        CohortMember.objects.filter(cohort_id=session.cohort_id).values_list("user_id", "role")
    )
    if roles.get(client.pk) != CohortRole.PARTICIPANT:
        errors["client"] = [_("The client must be a participant of the cohort.")]
    if not (facilitator.is_platform_admin or roles.get(facilitator.pk) == CohortRole.ANIMATEUR):
        errors["facilitator"] = [_("The animateur of a round must animate the cohort.")]
    problem = problem.strip()
    if len(problem) > 200:
        errors["problem"] = [_("The problem is at most 200 characters.")]
    boxes = codev.default_timeboxes() if timeboxes is None else timeboxes
    errors.update(timebox_errors(boxes))
    if consultants is None:
        consultant_ids = _default_consultants(session, roles, client)
    else:
        consultant_ids = [user.pk for user in consultants if user.pk != client.pk]
        if any(
            roles.get(pk) not in (CohortRole.PARTICIPANT, CohortRole.INTERVENANT)
            for pk in consultant_ids
        ):
            errors["consultants"] = [
                _("Consultants must be participants or intervenants of the cohort.")
            ]
    if errors:
        raise ValidationError(errors)
    position = (session.codev_rounds.aggregate(last=Max("position"))["last"] or 0) + 1
    round = Round.objects.create(
        session=session,
        position=position,
        problem=problem,
        client=client,
        facilitator=facilitator,
        timeboxes=codev.validate_timeboxes(boxes),
    )
    round.consultants.set(sorted(consultant_ids))
    return round


def _default_consultants(session: Session, roles: dict[int, str], client: User) -> list[int]:
    peers = {CohortRole.PARTICIPANT, CohortRole.INTERVENANT}
    for people in (
        Attendance.objects.filter(session=session, present=True),
        Registration.objects.filter(session=session),
    ):
        ids = [
            pk
            for pk in people.values_list("user_id", flat=True)
            if roles.get(pk) in peers and pk != client.pk
        ]
        if ids:
            return ids
    return [pk for pk, role in roles.items() if role == CohortRole.PARTICIPANT and pk != client.pk]


def timebox_errors(timeboxes: dict) -> dict[str, list[str]]:
    """French errors per step code for time boxes out of range (empty when all is well)."""
    errors: dict[str, list[str]] = {}
    for step in codev.STEPS:
        minutes = timeboxes.get(step.code)
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            errors[step.code] = [_("Give a whole number of minutes.")]
        elif not codev.MIN_MINUTES <= minutes <= codev.MAX_MINUTES:
            errors[step.code] = [
                _("A step lasts %(min)d to %(max)d minutes.")
                % {"min": codev.MIN_MINUTES, "max": codev.MAX_MINUTES}
            ]
    return errors


def _move(
    round: Round,
    move: Callable[[codev.RoundState, datetime.datetime], codev.RoundState],
    *,
    now: datetime.datetime | None,
    expected_step: int | None,
    check: Callable[[Round], None],
) -> Round:
    locked = _lock(round)
    if expected_step is not None and locked.step_index != expected_step:
        raise _refuse(
            _("The round has already moved to another step: the page now shows where it is."),
            code="stale",
        )
    check(locked)
    now = now or timezone.now()
    locked.set_state(move(locked.state, now))
    if locked.started_at is None:
        locked.started_at = now
    if locked.is_finished and locked.finished_at is None:
        locked.finished_at = now
    locked.version = F("version") + 1
    locked.save(
        update_fields=[
            "step_index",
            "step_started_at",
            "paused_remaining_s",
            "timeboxes",
            "version",
            "started_at",
            "finished_at",
        ]
    )
    locked.refresh_from_db(fields=["version"])
    return locked


def _check_start(round: Round) -> None:
    state = round.state
    if codev.is_finished(state):
        raise _finished_error()
    if codev.is_running(state):
        raise _refuse(_("The step is already running."))
    if codev.is_paused(state):
        raise _refuse(_("The step is paused: resume it."))


def _check_pause(round: Round) -> None:
    if not codev.is_running(round.state):
        raise _refuse(_("Only a running step can be paused."))


def _check_resume(round: Round) -> None:
    if not codev.is_paused(round.state):
        raise _refuse(_("Only a paused step can be resumed."))


def _check_next(round: Round) -> None:
    if round.is_finished:
        raise _finished_error()
    if round.started_at is None:
        raise _refuse(_("Start the round first."))


def _check_previous(round: Round) -> None:
    if round.is_finished:
        raise _finished_error()
    if round.step_index == 0:
        raise _refuse(_("The round is on its first step."))


@transaction.atomic
def round_start(
    *, round: Round, now: datetime.datetime | None = None, expected_step: int | None = None
) -> Round:
    return _move(round, codev.start, now=now, expected_step=expected_step, check=_check_start)


@transaction.atomic
def round_pause(
    *, round: Round, now: datetime.datetime | None = None, expected_step: int | None = None
) -> Round:
    return _move(round, codev.pause, now=now, expected_step=expected_step, check=_check_pause)


@transaction.atomic
def round_resume(
    *, round: Round, now: datetime.datetime | None = None, expected_step: int | None = None
) -> Round:
    return _move(round, codev.resume, now=now, expected_step=expected_step, check=_check_resume)


@transaction.atomic
def round_next_step(
    *, round: Round, now: datetime.datetime | None = None, expected_step: int | None = None
) -> Round:
    """The next step, its clock running; after the sixth, the round is finished."""
    return _move(round, codev.next_step, now=now, expected_step=expected_step, check=_check_next)


@transaction.atomic
def round_previous_step(
    *, round: Round, now: datetime.datetime | None = None, expected_step: int | None = None
) -> Round:
    return _move(
        round, codev.previous_step, now=now, expected_step=expected_step, check=_check_previous
    )


def _finish(state: codev.RoundState, now: datetime.datetime) -> codev.RoundState:
    return codev.RoundState(
        step_index=len(codev.STEPS),
        step_started_at=None,
        paused_remaining_s=None,
        timeboxes=state.timeboxes,
    )


@transaction.atomic
def round_finish(
    *, round: Round, now: datetime.datetime | None = None, expected_step: int | None = None
) -> Round:
    """End the round now, whatever step it is on (the action plan and learnings stay open)."""

    def check(locked: Round) -> None:
        if locked.is_finished:
            raise _finished_error()

    return _move(round, _finish, now=now, expected_step=expected_step, check=check)


@transaction.atomic
def round_timeboxes_update(*, round: Round, timeboxes: dict[str, int]) -> Round:
    """New time boxes; a running step keeps its start, so its countdown moves at once."""
    errors = timebox_errors(timeboxes)
    if errors:
        raise ValidationError(errors)
    locked = _lock(round)
    if locked.is_finished:
        raise _finished_error()
    locked.timeboxes = codev.validate_timeboxes(timeboxes)
    locked.version = F("version") + 1
    locked.save(update_fields=["timeboxes", "version"])
    locked.refresh_from_db(fields=["version"])
    return locked


def _bump(round_id: int) -> None:
    Round.objects.filter(pk=round_id).update(version=F("version") + 1)


def _text_errors(text: str, *, empty: str, limit: int) -> list[str]:
    if not text:
        return [empty]
    if len(text) > limit:
        return [
            _("At most %(max)d characters (this one has %(count)d).")
            % {"max": limit, "count": len(text)}
        ]
    return []


@transaction.atomic
def note_add(*, round: Round, author: User, text: str) -> Note:
    """A note on the board of the step under way (the first step before the round starts)."""
    text = text.strip()
    errors = _text_errors(text, empty=_("Write the note before posting it."), limit=NOTE_MAX_CHARS)
    if errors:
        raise ValidationError({"text": errors})
    locked = _lock(round)
    if locked.is_finished:
        raise ValidationError({"text": [_("This round is finished: its board is closed.")]})
    position = (locked.notes.aggregate(last=Max("position"))["last"] or 0) + 1
    note = Note.objects.create(
        round=locked,
        step=codev.STEP_CODES[locked.step_index],
        author=author,
        text=text,
        position=position,
    )
    _bump(locked.pk)
    return note


def action_plan_errors(session: Session, items: Sequence[ActionInput]) -> dict[str, list[str]]:
    """French errors keyed "<index>.<field>" (and "__all__"), for the form to place them."""
    errors: dict[str, list[str]] = {}
    first = session_day(session)
    last = first + datetime.timedelta(days=PLAN_HORIZON_DAYS)
    if not items:
        errors["__all__"] = [_("Add at least one action to the plan.")]
    for index, item in enumerate(items):
        title = item.title.strip()
        if not title:
            errors[f"{index}.title"] = [_("Name the action.")]
        elif len(title) > ACTION_TITLE_MAX_CHARS:
            errors[f"{index}.title"] = [
                _("An action is at most %(max)d characters.") % {"max": ACTION_TITLE_MAX_CHARS}
            ]
        if item.due is None:
            errors[f"{index}.due"] = [_("Give the action a date.")]
        elif item.due < first:
            errors[f"{index}.due"] = [
                _("The date cannot be before the session (%(date)s).")
                % {"date": first.strftime("%d/%m/%Y")}
            ]
        elif item.due > last:
            errors[f"{index}.due"] = [
                _("The date must be before %(date)s (three years after the session).")
                % {"date": last.strftime("%d/%m/%Y")}
            ]
    return errors


@transaction.atomic
def action_plan_save(*, round: Round, items: Sequence[ActionInput]) -> list[ActionItem]:
    """Replace the client's action plan at once; an action kept by name keeps its tick."""
    locked = _lock(round)
    if locked.step_index < SYNTHESE:
        raise ValidationError(
            {"__all__": [_("The action plan is drawn up at step 5, synthesis and action plan.")]}
        )
    errors = action_plan_errors(locked.session, items)
    if errors:
        raise ValidationError(errors)
    done = {item.title: item.done_at for item in ActionItem.objects.filter(round=locked, done=True)}
    ActionItem.objects.filter(round=locked).delete()
    rows = []
    for index, item in enumerate(items, start=1):
        assert item.due is not None  # checked above
        title = item.title.strip()
        rows.append(
            ActionItem(
                round=locked,
                position=index,
                title=title,
                due=item.due,
                done=title in done,
                done_at=done.get(title),
            )
        )
    created = ActionItem.objects.bulk_create(rows)
    _bump(locked.pk)
    return created


@transaction.atomic
def learning_save(*, round: Round, user: User, text: str) -> Learning:
    """What `user` learned from the round, replacing what they wrote before."""
    text = text.strip()
    errors = _text_errors(
        text, empty=_("Write what you learned before saving it."), limit=LEARNING_MAX_CHARS
    )
    if errors:
        raise ValidationError({"text": errors})
    locked = _lock(round)
    if locked.step_index < APPRENTISSAGES:
        raise ValidationError({"text": [_("Learnings are named at step 6.")]})
    learning, _created = Learning.objects.update_or_create(
        round=locked, user=user, defaults={"text": text}
    )
    _bump(locked.pk)
    return learning


@transaction.atomic
def action_item_mark(
    *, item: ActionItem, done: bool, now: datetime.datetime | None = None
) -> ActionItem:
    """Tick an action done (or not done again)."""
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    if item.done != done:
        item.done = done
        item.done_at = (now or timezone.now()) if done else None
        item.save(update_fields=["done", "done_at"])
    return item
