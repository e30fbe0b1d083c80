"""Two "next step" clicks at once: the row lock takes them one after the other, and the
second, made on a step that is gone, is refused instead of skipping a step."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from alliances.codev import services
from alliances.codev.models import Note, Round

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers by itself"
    ),
]


def run_at_once(count: int, action) -> list[ValidationError]:
    barrier = threading.Barrier(count)
    failures: list[ValidationError] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            action(n)
        except ValidationError as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_four_clicks_on_next_move_one_step(round_):
    services.round_start(round=round_)
    failures = run_at_once(4, lambda n: services.round_next_step(round=round_, expected_step=0))
    assert len(failures) == 3
    assert all(error.code == "stale" for error in failures)
    assert Round.objects.get(pk=round_.pk).step_index == 1


def test_notes_posted_at_once_get_distinct_positions(round_, consultant):
    failures = run_at_once(
        6, lambda n: services.note_add(round=round_, author=consultant, text=f"Note {n}")
    )
    assert not failures
    assert sorted(Note.objects.values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert Round.objects.get(pk=round_.pk).version == round_.version + 6
