"""The co-development round's state machine, driven with explicit datetimes (no sleeping)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alliances.lib import codev
from alliances.lib.codev import (
    STEPS,
    RoundState,
    current_step,
    default_timeboxes,
    is_finished,
    is_over_time,
    is_paused,
    is_running,
    new_round,
    next_step,
    pause,
    previous_step,
    remaining_seconds,
    resume,
    start,
    validate_timeboxes,
)

T0 = datetime(2026, 5, 12, 14, 0, tzinfo=ZoneInfo("Europe/Paris"))


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def test_six_steps_in_order_with_stable_codes():
    assert [step.code for step in STEPS] == [
        "expose",
        "clarification",
        "contrat",
        "consultation",
        "synthese",
        "apprentissages",
    ]
    assert codev.STEP_CODES == tuple(step.code for step in STEPS)


def test_default_timeboxes():
    assert default_timeboxes() == {
        "expose": 10,
        "clarification": 15,
        "contrat": 5,
        "consultation": 25,
        "synthese": 10,
        "apprentissages": 10,
    }
    boxes = default_timeboxes()
    boxes["expose"] = 99
    assert default_timeboxes()["expose"] == 10  # a fresh dict each time


def test_each_step_says_who_speaks_and_what_is_not_allowed():
    speakers = {step.code: step.speaks for step in STEPS}
    assert speakers == {
        "expose": "client",
        "clarification": "consultants",
        "contrat": "client",
        "consultation": "consultants",
        "synthese": "client",
        "apprentissages": "everyone",
    }
    clarification = STEPS[1]
    assert any("advice" in rule.lower() for rule in clarification.not_allowed)
    for step in STEPS:
        assert step.name and step.purpose and step.not_allowed


def test_a_new_round_waits_on_its_first_step_with_its_full_time_box():
    state = new_round()
    assert state.step_index == 0
    assert current_step(state) == STEPS[0]
    assert not is_running(state) and not is_paused(state) and not is_finished(state)
    assert remaining_seconds(state, at(30)) == 10 * 60  # the clock has not started
    assert not is_over_time(state, at(30))


def test_countdown_after_start():
    state = start(new_round(), T0)
    assert is_running(state)
    assert remaining_seconds(state, T0) == 600
    assert remaining_seconds(state, at(seconds=0.9)) == 600  # a whole second not yet gone
    assert remaining_seconds(state, at(seconds=1)) == 599
    assert remaining_seconds(state, at(minutes=4, seconds=30)) == 330
    assert remaining_seconds(state, at(10)) == 0
    assert not is_over_time(state, at(10))


def test_going_over_time_gives_negative_seconds():
    state = start(new_round(), T0)
    assert remaining_seconds(state, at(10, 1)) == -1
    assert is_over_time(state, at(10, 1))
    assert remaining_seconds(state, at(13)) == -180


def test_a_clock_behind_the_start_counts_no_time():
    state = start(new_round(), T0)
    assert remaining_seconds(state, at(seconds=-5)) == 600


def test_pause_keeps_the_remaining_time_while_time_passes():
    state = pause(start(new_round(), T0), at(3))
    assert is_paused(state) and not is_running(state)
    assert state.step_started_at is None
    assert state.paused_remaining_s == 420
    assert remaining_seconds(state, at(3)) == 420
    assert remaining_seconds(state, at(45)) == 420  # an hour-long pause costs nothing
    assert not is_over_time(state, at(45))


def test_resume_continues_the_countdown():
    state = pause(start(new_round(), T0), at(3))
    state = resume(state, at(20))
    assert is_running(state) and not is_paused(state)
    assert remaining_seconds(state, at(20)) == 420
    assert remaining_seconds(state, at(25)) == 120
    assert remaining_seconds(state, at(27, 1)) == -1
    assert is_over_time(state, at(27, 1))


def test_pause_and_resume_several_times():
    state = start(new_round(), T0)
    state = pause(state, at(2))  # 8 min left
    state = resume(state, at(5))
    state = pause(state, at(9))  # 4 min left
    state = resume(state, at(9, 30))
    assert remaining_seconds(state, at(10)) == 210
    assert remaining_seconds(state, at(13, 30)) == 0


def test_pausing_over_time_keeps_the_overrun():
    state = pause(start(new_round(), T0), at(12))
    assert remaining_seconds(state, at(50)) == -120
    assert is_over_time(state, at(50))
    state = resume(state, at(60))
    assert remaining_seconds(state, at(61)) == -180


def test_next_step_starts_the_next_time_box():
    state = next_step(start(new_round(), T0), at(11))
    assert state.step_index == 1
    assert current_step(state) == STEPS[1]
    assert is_running(state)
    assert remaining_seconds(state, at(11)) == 15 * 60
    assert remaining_seconds(state, at(16)) == 10 * 60


def test_next_step_from_a_paused_step_runs_the_next_one():
    state = pause(start(new_round(), T0), at(4))
    state = next_step(state, at(6))
    assert is_running(state) and not is_paused(state)
    assert remaining_seconds(state, at(6)) == 15 * 60


def test_previous_step_restarts_that_step_with_its_full_time_box():
    state = next_step(next_step(start(new_round(), T0), at(10)), at(25))
    assert current_step(state) == STEPS[2]
    state = previous_step(state, at(26))
    assert current_step(state) == STEPS[1]
    assert remaining_seconds(state, at(26)) == 15 * 60


def test_previous_step_on_the_first_step_is_refused():
    with pytest.raises(ValueError, match="first step"):
        previous_step(start(new_round(), T0), at(1))


def test_a_whole_round_with_the_last_step():
    state = start(new_round(), T0)
    now = T0
    for step in STEPS[:-1]:
        now += timedelta(minutes=step.minutes)
        state = next_step(state, now)
    assert current_step(state) == STEPS[-1]
    assert not is_finished(state)
    assert remaining_seconds(state, now) == 10 * 60
    state = next_step(state, now + timedelta(minutes=10))
    assert is_finished(state)
    assert current_step(state) is None
    assert not is_running(state) and not is_paused(state)
    assert remaining_seconds(state, now + timedelta(hours=2)) == 0
    assert not is_over_time(state, now + timedelta(hours=2))
    with pytest.raises(ValueError, match="already finished"):
        next_step(state, now)
    with pytest.raises(ValueError, match="already finished"):
        start(state, now)
    # Reopening the last step after finishing by mistake.
    state = previous_step(state, now)
    assert current_step(state) == STEPS[-1] and is_running(state)


def test_custom_timeboxes_drive_the_countdown():
    boxes = default_timeboxes() | {"expose": 5, "consultation": 40}
    state = start(new_round(boxes), T0)
    assert remaining_seconds(state, T0) == 300
    state = next_step(next_step(next_step(state, at(5)), at(20)), at(25))
    assert current_step(state) == STEPS[3]
    assert remaining_seconds(state, at(25)) == 40 * 60


def test_states_are_immutable_values():
    state = new_round()
    started = start(state, T0)
    assert state.step_started_at is None  # the original is untouched
    assert started != state
    assert start(new_round(), T0) == started
    with pytest.raises(AttributeError):
        state.step_index = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expose": 0}, "step 'expose': time box must be 1 to 120 minutes, not 0"),
        ({"consultation": 121}, "step 'consultation': time box must be 1 to 120 minutes"),
        ({"contrat": -5}, "step 'contrat'"),
        ({"synthese": 7.5}, "step 'synthese': time box must be a whole number"),
        ({"synthese": "10"}, "step 'synthese': time box must be a whole number"),
        ({"apprentissages": True}, "step 'apprentissages': time box must be a whole number"),
        ({"debrief": 10}, "unknown step 'debrief'"),
    ],
)
def test_invalid_timeboxes_name_the_step(change, message):
    with pytest.raises(ValueError, match=message):
        validate_timeboxes(default_timeboxes() | change)
    with pytest.raises(ValueError, match=message):
        new_round(default_timeboxes() | change)


def test_missing_timebox_names_the_step():
    boxes = default_timeboxes()
    del boxes["clarification"]
    with pytest.raises(ValueError, match="step 'clarification': time box missing"):
        new_round(boxes)


def test_bounds_are_accepted():
    boxes = default_timeboxes() | {"expose": 1, "consultation": 120}
    assert validate_timeboxes(boxes) == boxes
    assert list(validate_timeboxes(dict(reversed(boxes.items())))) == list(codev.STEP_CODES)


def test_wrong_transitions_are_refused():
    running = start(new_round(), T0)
    with pytest.raises(ValueError, match="already running"):
        start(running, at(1))
    with pytest.raises(ValueError, match="only a paused step"):
        resume(running, at(1))
    paused = pause(running, at(1))
    with pytest.raises(ValueError, match="only a running step"):
        pause(paused, at(2))
    with pytest.raises(ValueError, match="resume it"):
        start(paused, at(2))
    with pytest.raises(ValueError, match="only a running step"):
        pause(new_round(), T0)


def test_an_idle_step_can_be_started_where_it_stands():
    state = RoundState(
        step_index=3, step_started_at=None, paused_remaining_s=None, timeboxes=default_timeboxes()
    )
    state = start(state, T0)
    assert current_step(state) == STEPS[3] and remaining_seconds(state, at(1)) == 24 * 60


def test_inconsistent_states_are_refused():
    with pytest.raises(ValueError, match="step_index"):
        RoundState(step_index=7, step_started_at=None, paused_remaining_s=None)
    with pytest.raises(ValueError, match="running and paused"):
        RoundState(step_index=0, step_started_at=T0, paused_remaining_s=30)
    with pytest.raises(ValueError, match="finished round"):
        RoundState(step_index=len(STEPS), step_started_at=T0, paused_remaining_s=None)
    with pytest.raises(ValueError, match="naive"):
        RoundState(step_index=0, step_started_at=datetime(2026, 5, 12), paused_remaining_s=None)  # noqa: DTZ001


def test_naive_now_is_refused():
    naive = datetime(2026, 5, 12, 14, 0)  # noqa: DTZ001
    for move in (start, next_step):
        with pytest.raises(ValueError, match="naive"):
            move(new_round(), naive)
    with pytest.raises(ValueError, match="naive"):
        remaining_seconds(new_round(), naive)


def test_timezones_do_not_matter_for_the_countdown():
    state = start(new_round(), T0)
    in_utc = T0.astimezone(UTC) + timedelta(minutes=2)
    assert remaining_seconds(state, in_utc) == 480
    assert replace(state, timeboxes=default_timeboxes()) == state
