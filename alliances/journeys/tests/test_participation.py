import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from alliances.accounts.services import user_create
from alliances.journeys.models import (
    Attendance,
    CohortRole,
    Feedback,
    Registration,
    Session,
    Submission,
    SubmissionStatus,
)
from alliances.journeys.services import (
    attendance_record,
    cohort_member_add,
    feedback_give,
    registration_cancel,
    session_register,
    session_update,
    submission_review,
    submission_save,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def webinar(cohort) -> Session:
    return cohort.sessions.filter(kind="webinaire").first()


@pytest.fixture
def after_webinar(webinar):
    with time_machine.travel(webinar.end + datetime.timedelta(days=1), tick=False):
        yield


def test_members_register_once(webinar, participant, intervenant, animateur):
    first = session_register(session=webinar, user=participant)
    assert session_register(session=webinar, user=participant) == first
    session_register(session=webinar, user=intervenant)
    session_register(session=webinar, user=animateur)
    assert webinar.registrations.count() == 3


def test_outsiders_and_observers_cannot_register(webinar, cohort, outsider, other_participant):
    observer = user_create(email="obs@example.org", password=None)
    cohort_member_add(cohort=cohort, user=observer, role=CohortRole.OBSERVATEUR)
    for user in (outsider, other_participant, observer):
        with pytest.raises(ValidationError):
            session_register(session=webinar, user=user)
    assert not Registration.objects.exists()


def test_capacity_is_enforced(webinar, cohort, participant, intervenant, animateur):
    session_update(session=webinar, data={"capacity": 2})
    session_register(session=webinar, user=participant)
    session_register(session=webinar, user=intervenant)
    with pytest.raises(ValidationError) as error:
        session_register(session=webinar, user=animateur)
    assert "2" in error.value.messages[0]
    assert webinar.registrations.count() == 2
    registration_cancel(session=webinar, user=intervenant)
    session_register(session=webinar, user=animateur)
    assert webinar.registrations.count() == 2


def test_no_registration_once_the_session_is_over(webinar, participant, after_webinar):
    with pytest.raises(ValidationError):
        session_register(session=webinar, user=participant)
    assert not Registration.objects.exists()


def test_attendance_lists_participants_and_registered_people(
    webinar, cohort, participant, intervenant, animateur
):
    session_register(session=webinar, user=intervenant)
    with time_machine.travel(webinar.end, tick=False):
        records = attendance_record(session=webinar, present_user_ids=[participant.pk],
                                    recorded_by=animateur)
        assert {(r.user_id, r.present) for r in records} == {
            (participant.pk, True), (intervenant.pk, False),
        }
        # Taken again, it is corrected, not duplicated.
        attendance_record(session=webinar, present_user_ids=[intervenant.pk],
                          recorded_by=animateur)
    assert set(Attendance.objects.filter(present=True).values_list("user_id", flat=True)) == {
        intervenant.pk
    }
    assert Attendance.objects.count() == 2


def test_attendance_waits_for_the_session_and_refuses_strangers(
    webinar, participant, outsider, animateur
):
    with pytest.raises(ValidationError):
        attendance_record(session=webinar, present_user_ids=[participant.pk],
                          recorded_by=animateur)
    with time_machine.travel(webinar.end, tick=False), pytest.raises(ValidationError):
        attendance_record(session=webinar, present_user_ids=[participant.pk, outsider.pk],
                          recorded_by=animateur)
    assert not Attendance.objects.exists()


def test_feedback_rating_between_1_and_5(webinar, participant, after_webinar):
    for rating in (0, 6):
        with pytest.raises(ValidationError) as error:
            feedback_give(session=webinar, user=participant, rating=rating)
        assert "rating" in error.value.message_dict
    assert not Feedback.objects.exists()
    feedback_give(session=webinar, user=participant, rating=4, comment="Très concret")
    feedback_give(session=webinar, user=participant, rating=5)
    assert Feedback.objects.get().rating == 5


def test_feedback_only_from_members_after_the_start(webinar, participant, outsider):
    with pytest.raises(ValidationError):
        feedback_give(session=webinar, user=participant, rating=4)
    with time_machine.travel(webinar.end, tick=False), pytest.raises(ValidationError):
        feedback_give(session=webinar, user=outsider, rating=4)
    assert not Feedback.objects.exists()


def test_submission_draft_then_handed_in_then_reviewed(cohort, participant):
    bilan = cohort.assignments.get(kind="bilan")
    draft = submission_save(assignment=bilan, user=participant, text="Premières idées",
                            submit=False)
    assert (draft.status, draft.submitted_at) == (SubmissionStatus.A_FAIRE, None)
    moment = datetime.datetime(2027, 2, 20, 18, tzinfo=PARIS)
    with time_machine.travel(moment, tick=False):
        done = submission_save(assignment=bilan, user=participant, text="Bilan complet",
                               submit=True)
    assert done.pk == draft.pk
    assert (done.status, done.submitted_at) == (SubmissionStatus.RENDU, moment)
    submission_review(submission=done, feedback="Bravo", approve=True)
    with pytest.raises(ValidationError):
        submission_save(assignment=bilan, user=participant, text="Changé", submit=True)
    done.refresh_from_db()
    assert (done.text, done.status) == ("Bilan complet", SubmissionStatus.VALIDE)


def test_submission_refusals(cohort, participant, intervenant, outsider):
    cible = cohort.assignments.get(kind="cible")
    with pytest.raises(ValidationError) as error:
        submission_save(assignment=cible, user=participant, text="  ", submit=True)
    assert "text" in error.value.message_dict
    for user in (intervenant, outsider):
        with pytest.raises(ValidationError):
            submission_save(assignment=cible, user=user, text="x", submit=False)
    assert not Submission.objects.exists()
    draft = submission_save(assignment=cible, user=participant, text="x", submit=False)
    with pytest.raises(ValidationError):
        submission_review(submission=draft, feedback="?", approve=True)
