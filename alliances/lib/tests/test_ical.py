"""iCalendar feeds: parsed back with `icalendar`, across the Paris summer-time changes."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from alliances.lib.ical import CalendarEvent, feed

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def event(uid: str = "session-1@alliances", **fields) -> CalendarEvent:
    values: dict[str, Any] = {
        "summary": "Apport théorique",
        "start": datetime(2026, 3, 27, 9, 30, tzinfo=PARIS),
        "end": datetime(2026, 3, 27, 12, 0, tzinfo=PARIS),
    }
    values.update(fields)
    return CalendarEvent(uid=uid, **values)


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time without zone, as VTIMEZONE onsets are (RFC 5545 §3.6.5)."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001


def parse(data: bytes) -> Any:
    """The parsed feed, typed loosely: icalendar types each property as a 30-member union."""
    return Calendar.from_ical(data)


def only_event(calendar: Any) -> Any:
    (vevent,) = calendar.walk("VEVENT")
    return vevent


def test_calendar_properties():
    data = feed(name="Promotion 2026 – Occitanie", events=[event()], now=NOW)
    calendar = parse(data)
    assert str(calendar["PRODID"]) == "-//Alliances//Parcours//FR"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Promotion 2026 – Occitanie"
    assert str(calendar["NAME"]) == "Promotion 2026 – Occitanie"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=6)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT6H"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in data
    assert b"X-PUBLISHED-TTL:PT6H\r\n" in data


def test_custom_prodid_and_refresh():
    data = feed(name="x", events=[], prodid="-//Test//X//EN", refresh_hours=24, now=NOW)
    calendar = parse(data)
    assert str(calendar["PRODID"]) == "-//Test//X//EN"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(days=1)


def test_event_properties():
    changed = datetime(2026, 2, 10, 17, 45, tzinfo=PARIS)
    item = event(
        description="Ordre du jour",
        location="Maison des associations, Albi",
        url="https://alliances.example/parcours/sessions/12/",
        last_modified=changed,
        status="TENTATIVE",
        categories=("Apport théorique", "Présentiel"),
    )
    data = feed(name="c", events=[item], now=datetime(2026, 3, 1, 9, 0, tzinfo=PARIS))
    vevent = only_event(parse(data))
    assert str(vevent["UID"]) == "session-1@alliances"
    assert str(vevent["SUMMARY"]) == "Apport théorique"
    assert str(vevent["DESCRIPTION"]) == "Ordre du jour"
    assert str(vevent["LOCATION"]) == "Maison des associations, Albi"
    assert str(vevent["URL"]) == "https://alliances.example/parcours/sessions/12/"
    assert str(vevent["STATUS"]) == "TENTATIVE"
    assert list(vevent["CATEGORIES"].cats) == ["Apport théorique", "Présentiel"]
    assert vevent["LAST-MODIFIED"].dt == changed
    assert vevent["LAST-MODIFIED"].dt.utcoffset() == timedelta(0)
    # DTSTAMP is the generation time, written in UTC (RFC 5545 §3.8.7.2).
    assert b"DTSTAMP:20260301T080000Z\r\n" in data
    assert b"LAST-MODIFIED:20260210T164500Z\r\n" in data
    # Local times with the zone's TZID, not UTC.
    assert b"DTSTART;TZID=Europe/Paris:20260327T093000\r\n" in data
    assert b"DTEND;TZID=Europe/Paris:20260327T120000\r\n" in data
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert vevent["DTEND"].params["TZID"] == "Europe/Paris"


def test_optional_properties_are_left_out_when_empty():
    vevent = only_event(parse(feed(name="c", events=[event()], now=NOW)))
    for name in ("DESCRIPTION", "LOCATION", "URL", "LAST-MODIFIED", "CATEGORIES"):
        assert name not in vevent
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_uid_and_output_are_stable():
    items = [event(), event("session-2@alliances", summary="Témoignage")]
    first = feed(name="c", events=items, now=NOW)
    assert first == feed(name="c", events=iter(items), now=NOW)
    uids = [str(e["UID"]) for e in parse(first).walk("VEVENT")]
    assert uids == ["session-1@alliances", "session-2@alliances"]


def test_crlf_and_lines_folded_at_75_octets():
    long = "Un texte très long, avec des accents é à ù ç, " * 10
    data = feed(name="c", events=[event(description=long, summary=long)], now=NOW)
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # folded continuation lines
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-octet character
    assert str(only_event(parse(data))["DESCRIPTION"]) == long


def test_special_characters_survive_a_round_trip():
    text = "Café, atelier; « co-dév »\nLigne 2 \\ fin: ok"
    item = event(summary=text, description=text, location="Salle 1, étage 2; bâtiment B")
    data = feed(name="Cohorte, n°1; été", events=[item], now=NOW)
    assert b"Caf\xc3\xa9\\, atelier\\; " in data  # escaped per RFC 5545 §3.3.11
    calendar = parse(data)
    vevent = only_event(calendar)
    assert str(vevent["SUMMARY"]) == text
    assert str(vevent["DESCRIPTION"]) == text
    assert str(vevent["LOCATION"]) == "Salle 1, étage 2; bâtiment B"
    assert str(calendar["X-WR-CALNAME"]) == "Cohorte, n°1; été"


def read_back(start: datetime) -> datetime:
    data = feed(name="c", events=[event(start=start, end=start + timedelta(hours=2))], now=NOW)
    return only_event(parse(data))["DTSTART"].dt


@pytest.mark.parametrize(
    ("day", "offset"),
    [
        (wall(2026, 3, 27, 9, 30), timedelta(hours=1)),  # Friday before the change
        (wall(2026, 3, 30, 9, 30), timedelta(hours=2)),  # Monday after 29 March
        (wall(2026, 10, 23, 9, 30), timedelta(hours=2)),  # Friday before 25 October
        (wall(2026, 10, 26, 9, 30), timedelta(hours=1)),  # Monday after
    ],
)
def test_nine_thirty_stays_nine_thirty_across_summer_time(day, offset):
    start = read_back(day.replace(tzinfo=PARIS))
    assert (start.hour, start.minute) == (9, 30)
    assert start.utcoffset() == offset
    assert start.astimezone(UTC) == (day - offset).replace(tzinfo=UTC)


def test_events_given_in_utc_are_written_in_paris_time():
    start = datetime(2026, 3, 30, 7, 30, tzinfo=UTC)
    data = feed(name="c", events=[event(start=start, end=start + timedelta(hours=1))], now=NOW)
    assert b"DTSTART;TZID=Europe/Paris:20260330T093000\r\n" in data
    assert only_event(parse(data))["DTSTART"].dt == start


def observances(calendar: Any) -> list[tuple[str, datetime, timedelta, timedelta]]:
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Paris"
    return [
        (
            block.name,
            block["DTSTART"].dt,
            block["TZOFFSETFROM"].td,
            block["TZOFFSETTO"].td,
        )
        for block in vtimezone.subcomponents
    ]


def test_vtimezone_onsets_are_local_time_in_the_previous_offset():
    """RFC 5545 §3.8.3.3: onset minus TZOFFSETFROM is the UTC instant of the change."""
    items = [
        event(),
        event(
            "s2",
            start=datetime(2026, 10, 26, 9, 30, tzinfo=PARIS),
            end=datetime(2026, 10, 26, 11, 0, tzinfo=PARIS),
        ),
    ]
    blocks = observances(parse(feed(name="c", events=items, now=NOW)))
    assert blocks == [
        ("STANDARD", wall(2026, 1, 1), timedelta(hours=1), timedelta(hours=1)),
        ("DAYLIGHT", wall(2026, 3, 29, 2, 0), timedelta(hours=1), timedelta(hours=2)),
        ("STANDARD", wall(2026, 10, 25, 3, 0), timedelta(hours=2), timedelta(hours=1)),
    ]
    changes = [onset - before for _, onset, before, _ in blocks[1:]]
    assert changes == [wall(2026, 3, 29, 1, 0), wall(2026, 10, 25, 1, 0)]


def test_vtimezone_covers_every_year_of_the_events():
    items = [
        event(
            start=datetime(2026, 11, 5, 9, 30, tzinfo=PARIS),
            end=datetime(2026, 11, 5, 12, 0, tzinfo=PARIS),
        ),
        event(
            "s2",
            start=datetime(2027, 7, 1, 9, 30, tzinfo=PARIS),
            end=datetime(2027, 7, 1, 12, 0, tzinfo=PARIS),
        ),
    ]
    onsets = [onset for _, onset, _, _ in observances(parse(feed(name="c", events=items)))]
    assert wall(2026, 3, 29, 2, 0) in onsets
    assert wall(2027, 3, 28, 2, 0) in onsets
    assert wall(2027, 10, 31, 3, 0) in onsets
    assert max(onsets) < wall(2028, 1, 1)


def test_vtimezone_comes_before_the_events():
    data = feed(name="c", events=[event()], now=NOW)
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")


def test_zero_events_is_a_valid_calendar():
    data = feed(name="Cohorte vide", events=[], now=NOW)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    calendar = parse(data)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"
    # The time zone the calendar names is still described, for the current year.
    onsets = [onset for _, onset, _, _ in observances(calendar)]
    assert wall(2026, 3, 29, 2, 0) in onsets


def test_other_time_zone():
    start = datetime(2026, 3, 20, 9, 0, tzinfo=ZoneInfo("America/Guadeloupe"))
    data = feed(
        name="c",
        events=[event(start=start, end=start + timedelta(hours=1))],
        timezone="America/Guadeloupe",
        now=NOW,
    )
    assert b"DTSTART;TZID=America/Guadeloupe:20260320T090000\r\n" in data
    assert b"X-WR-TIMEZONE:America/Guadeloupe\r\n" in data
    assert only_event(parse(data))["DTSTART"].dt == start


def test_naive_datetimes_are_rejected():
    with pytest.raises(ValueError, match="start is a naive datetime"):
        event(start=datetime(2026, 3, 27, 9, 30))  # noqa: DTZ001
    with pytest.raises(ValueError, match="end is a naive datetime"):
        event(end=datetime(2026, 3, 27, 12, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="last_modified is a naive datetime"):
        event(last_modified=datetime(2026, 3, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="now is a naive datetime"):
        feed(name="c", events=[], now=datetime(2026, 3, 1))  # noqa: DTZ001


@pytest.mark.parametrize("minutes", [0, -30])
def test_end_must_be_after_start(minutes):
    start = datetime(2026, 3, 27, 9, 30, tzinfo=PARIS)
    with pytest.raises(ValueError, match="end must be after start"):
        event(start=start, end=start + timedelta(minutes=minutes))


def test_bad_uid_status_and_refresh_are_rejected():
    with pytest.raises(ValueError, match="UID"):
        event(uid=" ")
    with pytest.raises(ValueError, match="unknown status"):
        event(status="DONE")
    with pytest.raises(ValueError, match="refresh_hours"):
        feed(name="c", events=[], refresh_hours=0)
