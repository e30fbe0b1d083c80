"""The binôme saving at the same instant, for real, on PostgreSQL: the row locks take the
saves one after the other, so a save made from the same revision as another is refused
(never silently overwritten), and saves of different criteria all land."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from alliances.diagnostics import services
from alliances.diagnostics.models import BilanMoment, Entry, EntryChange

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers by itself"
    ),
]


def _at_once(calls) -> list[Exception]:
    barrier = threading.Barrier(len(calls))
    errors: list[Exception] = []

    def run(call) -> None:
        try:
            barrier.wait()
            call()
        except ValidationError as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_the_same_criterion_saved_at_once_keeps_one_and_refuses_the_other(
    plan, participant, partner
):
    bilan = services.bilan_create(
        plan=plan, moment=BilanMoment.T0, date=datetime.date(2027, 2, 1), user=participant
    )
    entry = bilan.entries.order_by("pk").first()
    errors = _at_once(
        [
            lambda: services.entry_save(
                entry=entry,
                user=participant,
                level=1,
                evidence="",
                organisation_ids=[],
                revision=0,
            ),
            lambda: services.entry_save(
                entry=entry, user=partner, level=4, evidence="", organisation_ids=[], revision=0
            ),
        ]
    )
    assert len(errors) == 1 and isinstance(errors[0], services.EntryConflict)
    entry.refresh_from_db()
    assert entry.revision == 1 and entry.level in (1, 4)
    assert EntryChange.objects.filter(entry=entry).count() == 1
    # The refused one was told the winner's level.
    assert str(entry.level) in " ".join(errors[0].messages)


def test_different_criteria_saved_at_once_all_land(plan, participant, partner):
    bilan = services.bilan_create(
        plan=plan, moment=BilanMoment.T0, date=datetime.date(2027, 2, 1), user=participant
    )
    entries = list(bilan.entries.order_by("pk")[:4])
    people = [participant, partner, participant, partner]
    errors = _at_once(
        [
            (
                lambda e=e, p=p, n=n: services.entry_save(
                    entry=e, user=p, level=n + 1, evidence="", organisation_ids=[], revision=0
                )
            )
            for n, (e, p) in enumerate(zip(entries, people, strict=True))
        ]
    )
    assert errors == []
    assert list(
        Entry.objects.filter(pk__in=[e.pk for e in entries])
        .order_by("pk")
        .values_list("level", flat=True)
    ) == [1, 2, 3, 4]
