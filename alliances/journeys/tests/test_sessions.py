import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from alliances.journeys.models import Session, SessionMode
from alliances.journeys.services import session_create, session_update

PARIS = ZoneInfo("Europe/Paris")


def at(day: int, hour: int, minute: int = 0, month: int = 2) -> datetime.datetime:
    return datetime.datetime(2027, month, day, hour, minute, tzinfo=PARIS)


def create(cohort, **overrides) -> Session:
    values = {
        "kind": "temps_informel", "title": "Atelier", "start": at(10, 14), "end": at(10, 16),
        "mode": SessionMode.PRESENTIEL, "place": "Salle des fêtes de Créteil",
    }
    values.update(overrides)
    return session_create(cohort=cohort, **values)


def errors_of(call) -> dict[str, list[str]]:
    # English msgids: the French catalogue is filled separately.
    with translation.override("en"), pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


def test_a_session_is_created(cohort, intervenant):
    session = create(cohort, capacity=12, speakers=[intervenant], speakers_text="Mme Durand")
    assert session.speakers.get() == intervenant
    assert session.start == at(10, 14)


def test_an_end_before_the_start_is_refused_and_nothing_is_written(cohort):
    count = Session.objects.count()
    errors = errors_of(lambda: create(cohort, start=at(10, 16), end=at(10, 14)))
    assert list(errors) == ["end"]
    assert Session.objects.count() == count


def test_an_end_equal_to_the_start_is_refused(cohort):
    assert "end" in errors_of(lambda: create(cohort, start=at(10, 16), end=at(10, 16)))


def test_dates_outside_the_cohort_are_refused(cohort):
    count = Session.objects.count()
    before = errors_of(lambda: create(cohort, start=at(20, 9, month=12).replace(year=2026),
                                      end=at(20, 10, month=12).replace(year=2026)))
    assert "start" in before
    last_day = cohort.end
    after_end = datetime.datetime.combine(
        last_day, datetime.time(23, 0), tzinfo=PARIS
    )
    after = errors_of(lambda: create(cohort, start=after_end,
                                     end=after_end + datetime.timedelta(hours=2)))
    assert list(after) == ["end"]
    assert after["end"][0].startswith("The session must take place within the cohort")
    assert Session.objects.count() == count


def test_two_sessions_at_once_in_the_same_place_are_refused(cohort):
    create(cohort)
    count = Session.objects.count()
    errors = errors_of(lambda: create(cohort, title="Autre", start=at(10, 15),
                                      end=at(10, 17), place="salle des fêtes de créteil "))
    assert list(errors) == ["place"]
    assert "Atelier" in errors["place"][0]
    assert Session.objects.count() == count


def test_same_place_one_after_the_other_or_online_is_fine(cohort):
    create(cohort)
    create(cohort, title="Après", start=at(10, 16), end=at(10, 18))
    create(cohort, title="En ligne", mode=SessionMode.DISTANCIEL, link="https://visio.example")


def test_same_place_in_another_cohort_is_fine(cohort, other_cohort):
    create(cohort)
    create(other_cohort)


def test_a_work_kind_is_not_a_session_kind(cohort):
    assert list(errors_of(lambda: create(cohort, kind="bilan"))) == ["kind"]


def test_bad_fields_are_reported_together(cohort):
    errors = errors_of(lambda: create(cohort, title="", link="pas une adresse",
                                      start=at(10, 16), end=at(10, 14)))
    assert {"title", "link", "end"} <= set(errors)


def test_the_message_says_what_is_wrong(cohort):
    errors = errors_of(lambda: create(cohort, start=at(10, 16), end=at(10, 14)))
    assert errors["end"] == ["The end must come after the start."]


def test_an_update_is_checked_too_and_writes_nothing_when_refused(cohort):
    first = create(cohort)
    second = create(cohort, title="Plus tard", start=at(11, 14), end=at(11, 16))
    errors = errors_of(lambda: session_update(
        session=second, data={"start": at(10, 15), "end": at(10, 17)}
    ))
    assert list(errors) == ["place"]
    second.refresh_from_db()
    assert second.start == at(11, 14)
    session_update(session=first, data={"title": "Atelier renommé", "end": at(10, 17)})
    first.refresh_from_db()
    assert first.title == "Atelier renommé"


def test_an_update_refuses_unknown_fields(cohort):
    session = create(cohort)
    with pytest.raises(TypeError):
        session_update(session=session, data={"cohort": None})


@time_machine.travel(datetime.datetime(2027, 3, 1, tzinfo=PARIS), tick=False)
def test_moving_a_session_across_summer_time_keeps_the_wall_clock(cohort):
    session = create(cohort, start=at(27, 9, 30, month=3), end=at(27, 11, 30, month=3))
    session_update(session=session, data={"start": at(29, 9, 30, month=3),
                                          "end": at(29, 11, 30, month=3)})
    session.refresh_from_db()
    assert session.start.astimezone(PARIS).hour == 9
    assert session.end - session.start == datetime.timedelta(hours=2)
