"""The co-development round (Payette & Champagne) as a small, pure state machine.

Source: Adrien Payette and Claude Champagne, *Le groupe de codéveloppement professionnel*,
Presses de l'Université du Québec, 1997: a round has six steps, each with a time box, in
which one participant (the client) brings a problem and the others act as consultants.
The facilitator's screen shows the step, who holds the floor, what is not allowed and a
countdown; every participant's browser polls the same state, so the state is plain data
and every transition a pure function of (state, now). Nothing here sleeps or reads a clock.

Clock model: while a step runs, `step_started_at` is the instant its full time box would
have started (shifted forward on resume), so `remaining = box - (now - step_started_at)`.
While paused, `step_started_at` is None and `paused_remaining_s` holds what was left.
Neither set: the round has not started yet, or it is finished (`step_index == len(STEPS)`).
"""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

Speaker = Literal["client", "consultants", "everyone"]

MIN_MINUTES = 1
MAX_MINUTES = 120


@dataclass(frozen=True)
class Step:
    """One step of the method. Names and texts are English msgids; the UI translates them."""

    code: str
    name: str
    minutes: int  # default time box
    speaks: Speaker  # who holds the floor
    purpose: str
    not_allowed: tuple[str, ...]


# The six steps and their default time boxes (75 minutes in all), after Payette & Champagne.
STEPS: tuple[Step, ...] = (
    Step(
        code="expose",
        name="Problem statement",
        minutes=10,
        speaks="client",
        purpose="The client exposes the problem, its context and what is at stake.",
        not_allowed=("Interrupting the client", "Questions before the client has finished"),
    ),
    Step(
        code="clarification",
        name="Clarifying questions",
        minutes=15,
        speaks="consultants",
        purpose="Consultants ask questions to understand the situation; the client answers.",
        not_allowed=("Advice or solutions", "Leading questions that hide a suggestion"),
    ),
    Step(
        code="contrat",
        name="Contract",
        minutes=5,
        speaks="client",
        purpose="The client states the help wanted from the consultants.",
        not_allowed=("Consultants redefining the client's request",),
    ),
    Step(
        code="consultation",
        name="Consultation",
        minutes=25,
        speaks="consultants",
        purpose="Consultants share impressions, hypotheses, experiences and suggestions.",
        not_allowed=(
            "The client defending or justifying themselves",
            "Debating between consultants",
            "Judging the client",
        ),
    ),
    Step(
        code="synthese",
        name="Synthesis and action plan",
        minutes=10,
        speaks="client",
        purpose="The client synthesises what was heard and commits to an action plan.",
        not_allowed=("Consultants reopening the consultation",),
    ),
    Step(
        code="apprentissages",
        name="Learnings",
        minutes=10,
        speaks="everyone",
        purpose="Everyone, the client included, names what they learned.",
        not_allowed=("Going back to the client's problem",),
    ),
)

STEP_CODES: tuple[str, ...] = tuple(step.code for step in STEPS)


def default_timeboxes() -> dict[str, int]:
    """Minutes per step code: 10/15/5/25/10/10. A fresh dict each call, safe to edit."""
    return {step.code: step.minutes for step in STEPS}


def validate_timeboxes(timeboxes: dict[str, int]) -> dict[str, int]:
    """A checked copy of custom time boxes, in step order; ValueError naming the step."""
    unknown = sorted(set(timeboxes) - set(STEP_CODES))
    if unknown:
        raise ValueError(f"unknown step {unknown[0]!r}")
    checked = {}
    for code in STEP_CODES:
        if code not in timeboxes:
            raise ValueError(f"step {code!r}: time box missing")
        minutes = timeboxes[code]
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise ValueError(f"step {code!r}: time box must be a whole number of minutes")
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise ValueError(
                f"step {code!r}: time box must be {MIN_MINUTES} to {MAX_MINUTES} minutes, "
                f"not {minutes}"
            )
        checked[code] = minutes
    return checked


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now is a naive datetime")
    return now


@dataclass(frozen=True)
class RoundState:
    """Where a round stands. Build it with `new_round()`; move it with the functions below."""

    step_index: int
    step_started_at: datetime | None
    paused_remaining_s: int | None
    timeboxes: dict[str, int] = field(default_factory=default_timeboxes)

    def __post_init__(self) -> None:
        object.__setattr__(self, "timeboxes", validate_timeboxes(self.timeboxes))
        if not 0 <= self.step_index <= len(STEPS):
            raise ValueError(f"step_index must be 0 to {len(STEPS)}, not {self.step_index}")
        if self.step_started_at is not None:
            _aware(self.step_started_at)
            if self.paused_remaining_s is not None:
                raise ValueError("a step cannot be running and paused at once")
        if self.step_index == len(STEPS) and (
            self.step_started_at is not None or self.paused_remaining_s is not None
        ):
            raise ValueError("a finished round has no clock")


def new_round(timeboxes: dict[str, int] | None = None) -> RoundState:
    """A round not started yet, on its first step."""
    boxes = default_timeboxes() if timeboxes is None else timeboxes
    return RoundState(step_index=0, step_started_at=None, paused_remaining_s=None, timeboxes=boxes)


def current_step(state: RoundState) -> Step | None:
    """The step under way, None once the round is finished."""
    return None if is_finished(state) else STEPS[state.step_index]


def step_seconds(state: RoundState) -> int:
    """The current step's full time box, in seconds (0 once finished)."""
    step = current_step(state)
    return 0 if step is None else state.timeboxes[step.code] * 60


def is_finished(state: RoundState) -> bool:
    return state.step_index == len(STEPS)


def is_running(state: RoundState) -> bool:
    return state.step_started_at is not None


def is_paused(state: RoundState) -> bool:
    return state.paused_remaining_s is not None


def _running_step(state: RoundState, index: int, now: datetime) -> RoundState:
    return replace(state, step_index=index, step_started_at=now, paused_remaining_s=None)


def start(state: RoundState, now: datetime) -> RoundState:
    """Start the clock of the current step, idle so far (a new round: its first step)."""
    _aware(now)
    if is_finished(state):
        raise ValueError("the round is already finished")
    if is_running(state):
        raise ValueError("the step is already running")
    if is_paused(state):
        raise ValueError("the step is paused: resume it")
    return _running_step(state, state.step_index, now)


def pause(state: RoundState, now: datetime) -> RoundState:
    """Stop the countdown, keeping what is left (negative if already over time)."""
    if not is_running(state):
        raise ValueError("only a running step can be paused")
    left = remaining_seconds(state, now)
    return replace(state, step_started_at=None, paused_remaining_s=left)


def resume(state: RoundState, now: datetime) -> RoundState:
    """Restart the countdown where it was paused."""
    _aware(now)
    if state.paused_remaining_s is None:
        raise ValueError("only a paused step can be resumed")
    elapsed = step_seconds(state) - state.paused_remaining_s
    started = now - timedelta(seconds=elapsed)
    return replace(state, step_started_at=started, paused_remaining_s=None)


def next_step(state: RoundState, now: datetime) -> RoundState:
    """Close the current step and start the next one's clock; after the last, finish."""
    _aware(now)
    if is_finished(state):
        raise ValueError("the round is already finished")
    index = state.step_index + 1
    if index == len(STEPS):
        return replace(state, step_index=index, step_started_at=None, paused_remaining_s=None)
    return _running_step(state, index, now)


def previous_step(state: RoundState, now: datetime) -> RoundState:
    """Go back one step (a mis-click, or the group needs more of it) with a full time box."""
    _aware(now)
    if state.step_index == 0:
        raise ValueError("the round is on its first step")
    return _running_step(state, state.step_index - 1, now)


def remaining_seconds(state: RoundState, now: datetime) -> int:
    """Seconds left in the current step's time box; negative when over time.

    Whole seconds elapsed are counted (a step shows its full box for its first second),
    and a `now` before the start (clock skew between workers) counts as no time elapsed.
    """
    _aware(now)
    if state.paused_remaining_s is not None:
        return state.paused_remaining_s
    if state.step_started_at is None:
        return step_seconds(state)
    elapsed = max(0, int((now - state.step_started_at).total_seconds()))
    return step_seconds(state) - elapsed


def is_over_time(state: RoundState, now: datetime) -> bool:
    return remaining_seconds(state, now) < 0
