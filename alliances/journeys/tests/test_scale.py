"""Query counts at scale: the cohort space (participant, animateur) and the animateur's
console stay at ≤ 20 SQL queries, and the count does not grow with the cohort.

A small cohort (one participant, the programme's sessions) and a big one (30 participants,
40 sessions, registrations, attendance, submissions), both made through the services.
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.accounts.services import user_create
from alliances.journeys.models import (
    Cohort,
    CohortRole,
    Registration,
    Session,
    StepKind,
)
from alliances.journeys.services import (
    attendance_record,
    cohort_create_from_programme,
    cohort_member_add,
    paris_datetime,
    pilot_territory_add,
    session_create,
    session_register,
    submission_save,
)
from alliances.journeys.tests.conftest import START

MAX_QUERIES = 20
PARTICIPANTS, SESSIONS = 30, 40


def _grow(cohort: Cohort, *, participants: int, sessions: int, password: str) -> list:
    """Members, sessions, registrations, attendance and work through the services."""
    territories = [
        pilot_territory_add(cohort=cohort, name=f"Territoire {n}")
        for n in range(participants // 2 or 1)
    ]
    people = []
    for n in range(participants):
        person = user_create(
            email=f"p{n}-{cohort.pk}@example.org", password=password, display_name=f"Personne {n}"
        )
        cohort_member_add(
            cohort=cohort,
            user=person,
            role=CohortRole.PARTICIPANT,
            pilot_territory=territories[n // 2 % len(territories)],
        )
        people.append(person)
    kinds = list(StepKind.objects.filter(category="session"))
    existing = cohort.sessions.count()
    for n in range(sessions - existing):
        day = cohort.start + datetime.timedelta(days=7 * n + 1)
        begins = paris_datetime(day, datetime.time(17, 0))
        session_create(
            cohort=cohort,
            kind=kinds[n % len(kinds)],
            title=f"Séance {n}",
            start=begins,
            end=begins + datetime.timedelta(hours=1),
            capacity=participants + 5 if n % 3 == 0 else None,
        )
    all_sessions = list(cohort.sessions.all())
    # Registering every person to every session through the service is slow (one locked
    # read each): the first sessions go through it, the others are bulk-made the same way.
    for session in all_sessions[:3]:
        for person in people:
            session_register(session=session, user=person)
    Registration.objects.bulk_create(
        Registration(session=session, user=person)
        for session in all_sessions[3:]
        for person in people[: participants * 4 // 5]
    )
    return people


@pytest.fixture
def big(cohort, password):
    """The fixture cohort grown to 30 participants × 40 sessions, worked on five months."""
    people = _grow(cohort, participants=PARTICIPANTS, sessions=SESSIONS, password=password)
    later = paris_datetime(cohort.start + datetime.timedelta(days=150), datetime.time(12))
    with time_machine.travel(later, tick=False):
        for session in Session.objects.filter(cohort=cohort, end__lte=later):
            attendance_record(
                session=session, recorded_by=people[0], present_user_ids=[p.pk for p in people[::2]]
            )
        for assignment in cohort.assignments.filter(due__lte=later.date()):
            for person in people[:20]:
                submission_save(assignment=assignment, user=person, text="Mon travail", submit=True)
    return cohort


@pytest.fixture
def small(programme, animateur, password):
    small = cohort_create_from_programme(
        programme=programme, name="Petite promotion", start=START, created_by=animateur
    )
    [person] = _grow(small, participants=1, sessions=0, password=password)
    return small, person


def _count(client, url: str) -> int:
    """The view's own queries: without a CSRF cookie the page cache (journeys.pagecache)
    stands aside."""
    client.get(url)  # a first request may fill caches (content types, permissions)
    client.cookies.pop("csrftoken", None)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_big_cohort_made_as_asked(big):
    assert big.sessions.count() == SESSIONS
    assert big.members.filter(role=CohortRole.PARTICIPANT).count() == PARTICIPANTS + 1
    assert Registration.objects.filter(session__cohort=big).count() > 900


@pytest.mark.django_db
def test_cohort_space_and_console_queries_do_not_grow(
    client, big, small, participant, animateur, django_assert_max_num_queries
):
    small_cohort, small_person = small
    # Five months in: sessions past, current and to come, work due and late.
    later = paris_datetime(big.start + datetime.timedelta(days=150), datetime.time(12))
    pages = {
        "space": lambda c: reverse("journeys:cohort", args=[c.slug]),
        "console": lambda c: reverse("journeys:console", args=[c.slug]),
    }
    with time_machine.travel(later, tick=False):
        counts = {}
        for who, big_user, small_user, page in [
            ("participant", participant, small_person, "space"),
            ("animateur", animateur, animateur, "space"),
            ("animateur", animateur, animateur, "console"),
        ]:
            client.force_login(big_user)
            big_count = _count(client, pages[page](big))
            with django_assert_max_num_queries(MAX_QUERIES):
                assert client.get(pages[page](big)).status_code == 200
            client.force_login(small_user)
            small_count = _count(client, pages[page](small_cohort))
            counts[(who, page)] = (small_count, big_count)
    print("queries (small, big):", counts)
    for key, (small_count, big_count) in counts.items():
        assert big_count <= MAX_QUERIES, (key, big_count)
        assert big_count == small_count, (key, counts)
