"""Two people taking the last seat at once: the row lock counts them one after the other."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from alliances.accounts.services import user_create
from alliances.journeys.models import CohortRole, Programme, Registration
from alliances.journeys.services import (
    cohort_create_from_programme,
    cohort_member_add,
    session_register,
    session_update,
)

from .conftest import START

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers by itself"
    ),
]


def test_the_last_seat_goes_to_one_person_only():
    programme = Programme.objects.get(slug="parcours-co-construction")
    cohort = cohort_create_from_programme(programme=programme, name="Course", start=START,
                                          created_by=None)
    session = cohort.sessions.filter(kind="webinaire").first()
    session_update(session=session, data={"capacity": 1})
    people = [user_create(email=f"p{n}@example.org", password=None) for n in range(6)]
    for person in people:
        cohort_member_add(cohort=cohort, user=person, role=CohortRole.PARTICIPANT)
    barrier = threading.Barrier(len(people))
    refused = []

    def register(person) -> None:
        try:
            barrier.wait()
            session_register(session=session, user=person)
        except ValidationError:
            refused.append(person)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Registration.objects.filter(session=session).count() == 1
    assert len(refused) == len(people) - 1
