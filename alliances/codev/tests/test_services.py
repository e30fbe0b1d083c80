"""The writes on a round: creation, the clock, notes, the action plan, learnings."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from alliances.codev import services
from alliances.codev.models import ActionItem, Learning, Note, Round
from alliances.codev.selectors import action_items_for
from alliances.journeys.models import Session
from alliances.lib import codev

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
T0 = datetime.datetime(2027, 3, 1, 9, 30, tzinfo=PARIS)


def day_after(session: Session, days: int) -> datetime.date:
    return services.session_day(session) + datetime.timedelta(days=days)


def to_step(round: Round, index: int, now=T0) -> Round:
    round = services.round_start(round=round, now=now)
    for _ in range(index):
        round = services.round_next_step(round=round, now=now)
    return round


def test_a_round_gets_the_next_position_default_time_boxes_and_the_other_participants(
    round_, codev_session, participant, consultant, animateur, admin
):
    assert round_.position == 1
    assert round_.timeboxes == {
        "expose": 10,
        "clarification": 15,
        "contrat": 5,
        "consultation": 25,
        "synthese": 10,
        "apprentissages": 10,
    }
    assert list(round_.consultants.all()) == [consultant]
    assert round_.facilitator == animateur
    second = services.round_create(session=codev_session, client=consultant, facilitator=admin)
    assert second.position == 2
    assert list(second.consultants.all()) == [participant]


def test_a_client_outside_the_cohort_is_refused_in_french_and_nothing_saved(
    codev_session, outsider, intervenant, animateur
):
    for client in (outsider, intervenant):
        with pytest.raises(ValidationError) as error:
            services.round_create(session=codev_session, client=client, facilitator=animateur)
        assert list(error.value.message_dict) == ["client"]
    assert not Round.objects.exists()


def test_only_codev_sessions_hold_rounds_and_facilitators_animate_the_cohort(
    cohort, participant, consultant, animateur
):
    webinar = cohort.sessions.filter(kind_id="webinaire").first()
    with pytest.raises(ValidationError) as error:
        services.round_create(session=webinar, client=participant, facilitator=animateur)
    assert "session" in error.value.message_dict
    codev_session = cohort.sessions.filter(kind_id="codeveloppement").first()
    with pytest.raises(ValidationError) as error:
        services.round_create(session=codev_session, client=participant, facilitator=consultant)
    assert "facilitator" in error.value.message_dict
    assert not Round.objects.exists()


def test_time_boxes_out_of_range_are_refused_per_step(codev_session, participant, animateur):
    boxes = codev.default_timeboxes() | {"contrat": 0, "consultation": 121}
    with pytest.raises(ValidationError) as error:
        services.round_create(
            session=codev_session, client=participant, facilitator=animateur, timeboxes=boxes
        )
    assert set(error.value.message_dict) == {"contrat", "consultation"}
    assert not Round.objects.exists()


def test_the_clock_runs_pauses_resumes_and_goes_over_time(round_):
    round_ = services.round_start(round=round_, now=T0)
    assert round_.started_at == T0 and round_.step_index == 0
    assert codev.remaining_seconds(round_.state, T0 + datetime.timedelta(minutes=4)) == 360
    round_ = services.round_pause(round=round_, now=T0 + datetime.timedelta(minutes=4))
    assert round_.paused_remaining_s == 360
    round_ = services.round_resume(round=round_, now=T0 + datetime.timedelta(minutes=30))
    later = T0 + datetime.timedelta(minutes=37)
    assert codev.remaining_seconds(round_.state, later) == -60
    assert codev.is_over_time(round_.state, later)


def test_each_move_bumps_the_version_and_wrong_moves_are_refused(round_):
    version = round_.version
    with pytest.raises(ValidationError, match="Lancez d’abord le tour"):
        services.round_next_step(round=round_, now=T0)
    with pytest.raises(ValidationError):
        services.round_pause(round=round_, now=T0)
    with pytest.raises(ValidationError):
        services.round_previous_step(round=round_, now=T0)
    round_ = services.round_start(round=round_, now=T0)
    assert round_.version == version + 1
    with pytest.raises(ValidationError):
        services.round_start(round=round_, now=T0)
    with pytest.raises(ValidationError):
        services.round_resume(round=round_, now=T0)


def test_a_second_click_on_the_same_step_does_not_skip_a_step(round_):
    round_ = services.round_start(round=round_, now=T0, expected_step=0)
    services.round_next_step(round=round_, now=T0, expected_step=0)
    with pytest.raises(ValidationError) as error:
        services.round_next_step(round=round_, now=T0, expected_step=0)
    assert error.value.code == "stale"
    assert Round.objects.get(pk=round_.pk).step_index == 1


def test_next_after_the_sixth_step_finishes_the_round(round_):
    round_ = to_step(round_, 5)
    assert round_.current_step.code == "apprentissages"
    round_ = services.round_next_step(round=round_, now=T0 + datetime.timedelta(hours=1))
    assert round_.is_finished and round_.finished_at == T0 + datetime.timedelta(hours=1)
    with pytest.raises(ValidationError):
        services.round_next_step(round=round_, now=T0)
    with pytest.raises(ValidationError):
        services.round_finish(round=round_, now=T0)


def test_finish_ends_the_round_from_any_step(round_):
    round_ = to_step(round_, 2)
    round_ = services.round_finish(round=round_, now=T0)
    assert round_.is_finished and round_.step_started_at is None


def test_time_boxes_edit_moves_the_countdown_of_the_running_step(round_):
    round_ = services.round_start(round=round_, now=T0)
    round_ = services.round_timeboxes_update(
        round=round_, timeboxes=codev.default_timeboxes() | {"expose": 20}
    )
    assert codev.remaining_seconds(round_.state, T0) == 20 * 60
    with pytest.raises(ValidationError) as error:
        services.round_timeboxes_update(
            round=round_, timeboxes=codev.default_timeboxes() | {"expose": 500}
        )
    assert list(error.value.message_dict) == ["expose"]
    assert Round.objects.get(pk=round_.pk).timeboxes["expose"] == 20


def test_notes_land_on_the_current_step_in_order(round_, participant, consultant):
    round_ = to_step(round_, 1)
    first = services.note_add(round=round_, author=consultant, text="  Depuis quand ?  ")
    second = services.note_add(round=round_, author=participant, text="Deux ans")
    assert (first.step, first.text, first.position) == ("clarification", "Depuis quand ?", 1)
    assert second.position == 2
    assert Round.objects.get(pk=round_.pk).version == round_.version + 2


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_an_empty_or_too_long_note_is_refused(round_, consultant, text):
    with pytest.raises(ValidationError) as error:
        services.note_add(round=round_, author=consultant, text=text)
    assert "text" in error.value.message_dict
    assert not Note.objects.exists()


def test_no_note_once_the_round_is_finished(round_, consultant):
    round_ = services.round_finish(round=services.round_start(round=round_, now=T0), now=T0)
    with pytest.raises(ValidationError):
        services.note_add(round=round_, author=consultant, text="Trop tard")
    assert not Note.objects.exists()


def test_the_action_plan_replaces_the_previous_one_and_keeps_ticks(round_, participant):
    round_ = to_step(round_, 4)
    session = round_.session
    services.action_plan_save(
        round=round_,
        items=[
            services.ActionInput("Rencontrer la CCI", day_after(session, 10)),
            services.ActionInput("Écrire au maire", day_after(session, 20)),
        ],
    )
    first = ActionItem.objects.get(title="Rencontrer la CCI")
    services.action_item_mark(item=first, done=True, now=T0)
    services.action_plan_save(
        round=round_,
        items=[
            services.ActionInput("Rencontrer la CCI", day_after(session, 12)),
            services.ActionInput("Réunir le club d'entreprises", day_after(session, 30)),
        ],
    )
    items = list(action_items_for(participant))
    assert [(i.title, i.done) for i in items] == [
        ("Réunir le club d'entreprises", False),
        ("Rencontrer la CCI", True),
    ]


def test_a_bad_action_plan_names_each_faulty_row_and_saves_nothing(round_):
    round_ = to_step(round_, 4)
    session = round_.session
    services.action_plan_save(
        round=round_,
        items=[
            services.ActionInput("Garder", day_after(session, 5)),
        ],
    )
    with pytest.raises(ValidationError) as error:
        services.action_plan_save(
            round=round_,
            items=[
                services.ActionInput("", day_after(session, 5)),
                services.ActionInput("Avant la séance", day_after(session, -1)),
                services.ActionInput("Sans date", None),
                services.ActionInput("Trop loin", day_after(session, 4000)),
            ],
        )
    assert set(error.value.message_dict) == {"0.title", "1.due", "2.due", "3.due"}
    assert "précéder la séance" in error.value.message_dict["1.due"][0]
    assert list(ActionItem.objects.values_list("title", flat=True)) == ["Garder"]


def test_no_action_plan_before_step_five(round_):
    round_ = to_step(round_, 3)
    with pytest.raises(ValidationError):
        services.action_plan_save(
            round=round_,
            items=[
                services.ActionInput("Trop tôt", day_after(round_.session, 5)),
            ],
        )
    assert not ActionItem.objects.exists()


def test_one_learning_per_person_and_round_from_step_six(round_, consultant):
    with pytest.raises(ValidationError):
        services.learning_save(round=round_, user=consultant, text="Trop tôt")
    round_ = to_step(round_, 5)
    services.learning_save(round=round_, user=consultant, text="Écouter avant de conseiller")
    services.learning_save(round=round_, user=consultant, text="Questionner sans suggérer")
    assert list(Learning.objects.values_list("text", flat=True)) == ["Questionner sans suggérer"]
    with pytest.raises(ValidationError):
        services.learning_save(round=round_, user=consultant, text="  ")
    round_ = services.round_next_step(round=round_, now=T0)
    services.learning_save(round=round_, user=consultant, text="Après la fin aussi")
    assert Learning.objects.get().text == "Après la fin aussi"


def test_the_countdown_follows_the_frozen_clock(round_):
    with time_machine.travel(T0, tick=False) as traveller:
        round_ = services.round_start(round=round_)
        traveller.shift(datetime.timedelta(minutes=9, seconds=30))
        from django.utils import timezone

        assert codev.remaining_seconds(round_.state, timezone.now()) == 30
        traveller.shift(datetime.timedelta(minutes=1))
        assert codev.is_over_time(round_.state, timezone.now())
        round_ = services.round_next_step(round=round_)
        assert codev.remaining_seconds(round_.state, timezone.now()) == 15 * 60


def test_consultants_default_to_those_present_then_registered(
    codev_session, participant, consultant, intervenant, animateur, password
):
    from alliances.accounts.services import user_create
    from alliances.journeys.models import CohortRole
    from alliances.journeys.services import (
        attendance_record,
        cohort_member_add,
        session_register,
    )

    third = user_create(email="third@example.org", password=password)
    cohort_member_add(cohort=codev_session.cohort, user=third, role=CohortRole.PARTICIPANT)
    session_register(session=codev_session, user=consultant)
    session_register(session=codev_session, user=intervenant)
    registered = services.round_create(
        session=codev_session, client=participant, facilitator=animateur
    )
    assert set(registered.consultants.all()) == {consultant, intervenant}
    with time_machine.travel(codev_session.start + datetime.timedelta(hours=1), tick=False):
        attendance_record(session=codev_session, present_user_ids={third.pk}, recorded_by=animateur)
        present = services.round_create(
            session=codev_session, client=participant, facilitator=animateur
        )
    assert list(present.consultants.all()) == [third]
