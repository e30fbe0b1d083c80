"""Reminders: sessions in the next 24 real hours, work due in the next 3 days, once each."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alliances.journeys.models import Assignment, CohortRole, Session, StepKind
from alliances.journeys.services import (
    cohort_create_from_programme,
    cohort_member_add,
    session_create,
    session_register,
    submission_save,
)
from alliances.notifications.models import Notification, NotificationKind, ReminderSent
from alliances.notifications.services import reminders_send

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def plan(cohort):
    """The cohort without the programme's sessions: each test plans its own."""
    Session.objects.filter(cohort=cohort).delete()
    return cohort


def _session(cohort, start: datetime.datetime) -> Session:
    kind = StepKind.objects.filter(category="session").first()
    assert kind is not None
    return session_create(
        cohort=cohort, kind=kind, title="Atelier diagnostic", start=start, end=start + 2 * HOUR
    )


def _reminded(kind: str, object_id: int) -> set[int]:
    return set(
        ReminderSent.objects.filter(kind=kind, object_id=object_id).values_list(
            "user_id", flat=True
        )
    )


def _session_notes() -> list[Notification]:
    return list(Notification.objects.filter(kind=NotificationKind.REMINDER_SESSION))


def test_a_session_exactly_24_hours_ahead_is_reminded_once(
    plan, participant, intervenant, animateur
):
    start = datetime.datetime(2027, 2, 10, 9, 30, tzinfo=PARIS)
    session = _session(plan, start)

    assert reminders_send(now=start - 24 * HOUR - datetime.timedelta(seconds=1)) >= 0
    assert _session_notes() == []

    reminders_send(now=start - 24 * HOUR)
    # Nobody registered: every member who may register (the creator is the animateur).
    assert _reminded("reminder_session", session.pk) == {
        participant.pk, intervenant.pk, animateur.pk
    }
    note = Notification.objects.get(recipient=participant, kind="reminder_session")
    assert note.cohort == plan
    assert note.url == f"/parcours/{plan.slug}/"
    assert "Atelier diagnostic" in note.title
    assert "10 février" in note.title and "09:30" in note.title  # French dates, Paris time

    # The next hourly runs, up to the start, remind nobody again.
    for hours in (23, 1):
        reminders_send(now=start - hours * HOUR)
    assert len(_session_notes()) == 3


def test_a_started_session_is_not_reminded(plan, participant):
    start = datetime.datetime(2027, 2, 10, 9, 30, tzinfo=PARIS)
    _session(plan, start)
    reminders_send(now=start)
    reminders_send(now=start + HOUR)
    assert _session_notes() == []


def test_only_the_registered_are_reminded_when_someone_registered(
    plan, participant, intervenant
):
    start = datetime.datetime(2027, 2, 10, 9, 30, tzinfo=PARIS)
    session = _session(plan, start)
    with time_machine.travel(start - 72 * HOUR, tick=False):
        session_register(session=session, user=participant)

    reminders_send(now=start - 2 * HOUR)
    assert _reminded("reminder_session", session.pk) == {participant.pk}


def test_observers_are_not_reminded_of_sessions(plan, outsider, participant):
    cohort_member_add(cohort=plan, user=outsider, role=CohortRole.OBSERVATEUR)
    start = datetime.datetime(2027, 2, 10, 9, 30, tzinfo=PARIS)
    session = _session(plan, start)
    reminders_send(now=start - 2 * HOUR)
    assert participant.pk in _reminded("reminder_session", session.pk)
    assert outsider.pk not in _reminded("reminder_session", session.pk)


def test_the_night_of_the_summer_time_change_counts_real_hours(plan, participant):
    # 28 March 2027: clocks go from 02:00 to 03:00 in Paris. From Saturday 08:30 to
    # Sunday 09:30 on the wall clock is 24 real hours, not 25.
    start = datetime.datetime(2027, 3, 28, 9, 30, tzinfo=PARIS)
    session = _session(plan, start)

    reminders_send(now=datetime.datetime(2027, 3, 27, 8, 29, tzinfo=PARIS))
    assert _reminded("reminder_session", session.pk) == set()
    reminders_send(now=datetime.datetime(2027, 3, 27, 8, 30, tzinfo=PARIS))
    assert participant.pk in _reminded("reminder_session", session.pk)


def test_the_night_of_the_winter_time_change_counts_real_hours(programme, animateur):
    # 31 October 2027: clocks go from 03:00 back to 02:00. Saturday 09:30 is 25 real
    # hours before Sunday 09:30: the reminder goes at Saturday 10:30.
    autumn = cohort_create_from_programme(
        programme=programme, name="Promotion d'automne", start=datetime.date(2027, 9, 6),
        created_by=animateur,
    )
    Session.objects.filter(cohort=autumn).delete()
    start = datetime.datetime(2027, 10, 31, 9, 30, tzinfo=PARIS)
    session = _session(autumn, start)

    reminders_send(now=datetime.datetime(2027, 10, 30, 9, 30, tzinfo=PARIS))
    assert _reminded("reminder_session", session.pk) == set()
    reminders_send(now=datetime.datetime(2027, 10, 30, 10, 29, tzinfo=PARIS))
    assert _reminded("reminder_session", session.pk) == set()
    reminders_send(now=datetime.datetime(2027, 10, 30, 10, 30, tzinfo=PARIS))
    assert _reminded("reminder_session", session.pk) == {animateur.pk}


def _morning(day: datetime.date, hour: int = 8) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


def test_work_due_within_three_days_is_reminded_to_participants_who_did_not_hand_it_in(
    cohort, participant, intervenant, outsider
):
    cohort_member_add(cohort=cohort, user=outsider, role=CohortRole.PARTICIPANT)
    assignment = Assignment.objects.filter(cohort=cohort).earliest("due")
    due = assignment.due
    with time_machine.travel(_morning(due - datetime.timedelta(days=5)), tick=False):
        submission_save(assignment=assignment, user=outsider, text="Mon bilan", submit=True)
        # A draft is not handed in.
        submission_save(assignment=assignment, user=participant, text="Brouillon", submit=False)

    reminders_send(now=_morning(due - datetime.timedelta(days=4), 23))
    assert _reminded("reminder_due", assignment.pk) == set()

    reminders_send(now=_morning(due - datetime.timedelta(days=3), 0))
    assert _reminded("reminder_due", assignment.pk) == {participant.pk}
    note = Notification.objects.get(kind="reminder_due", recipient=participant)
    assert assignment.title in note.title

    reminders_send(now=_morning(due))
    assert Notification.objects.filter(kind="reminder_due", recipient=participant).count() == 1


def test_work_past_its_due_date_is_not_reminded(cohort, participant):
    assignment = Assignment.objects.filter(cohort=cohort).earliest("due")
    reminders_send(now=_morning(assignment.due + datetime.timedelta(days=1), 0))
    assert _reminded("reminder_due", assignment.pk) == set()


def test_the_due_window_uses_the_paris_date(cohort, participant):
    assignment = Assignment.objects.filter(cohort=cohort).earliest("due")
    # 23:30 UTC is already the next day in Paris: due in 3 days from there.
    day_before = assignment.due - datetime.timedelta(days=4)
    late_evening_utc = datetime.datetime.combine(
        day_before, datetime.time(23, 30), tzinfo=datetime.UTC
    )
    reminders_send(now=late_evening_utc)
    assert participant.pk in _reminded("reminder_due", assignment.pk)
