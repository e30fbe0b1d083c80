import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alliances.accounts.services import user_create
from alliances.journeys.models import Assignment, CohortRole, Session
from alliances.journeys.selectors import cohort_progress
from alliances.journeys.services import (
    attendance_record,
    cohort_member_add,
    submission_save,
)

PARIS = ZoneInfo("Europe/Paris")



def test_progress_counts_attendance_work_and_lateness(cohort, participant, animateur, later):
    with time_machine.travel(later, tick=False):
        held = list(Session.objects.filter(cohort=cohort, end__lte=later).order_by("start"))
        due = list(Assignment.objects.filter(cohort=cohort, due__lt=later.date()))
        assert len(held) >= 2 and len(due) >= 2
        attendance_record(session=held[0], present_user_ids=[participant.pk],
                          recorded_by=animateur)
        attendance_record(session=held[1], present_user_ids=[], recorded_by=animateur)
        submission_save(assignment=due[0], user=participant, text="Bilan", submit=True)

        progress = cohort_progress(cohort)

    (mine,) = progress.participants
    assert mine.sessions_held == len(held)
    assert mine.sessions_attended == 1
    assert mine.attendance_rate == pytest.approx(1 / len(held))
    assert mine.work_done == 1 and mine.work_due == len(due)
    assert [a.pk for a in mine.late] == [a.pk for a in due[1:]]
    assert progress.late_count == len(due) - 1


def test_a_draft_is_still_late(cohort, participant, later):
    with time_machine.travel(later, tick=False):
        first = Assignment.objects.filter(cohort=cohort).order_by("due").first()
        submission_save(assignment=first, user=participant, text="Brouillon", submit=False)
        (mine,) = cohort_progress(cohort).participants
    assert first in mine.late


def test_progress_before_anything_happened(cohort):
    before = datetime.datetime.combine(cohort.start, datetime.time(8), tzinfo=PARIS)
    progress = cohort_progress(cohort, now=before)
    assert progress.attendance_rate is None and progress.work_done_rate is None
    assert progress.late_count == 0


def test_query_count_does_not_grow_with_the_cohort(cohort, django_assert_num_queries, later):
    for n in range(12):
        user = user_create(email=f"p{n}@example.org", password=None)
        cohort_member_add(cohort=cohort, user=user, role=CohortRole.PARTICIPANT)
    with django_assert_num_queries(5):
        progress = cohort_progress(cohort, now=later)
    assert len(progress.participants) == 13
