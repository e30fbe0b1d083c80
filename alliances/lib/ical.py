"""iCalendar feeds (RFC 5545) of a cohort's or a person's sessions, built with `icalendar`.

Why the details matter: calendar clients subscribe to these feeds and re-read them for
months, across summer/winter time changes. So event times are written as local wall-clock
times with a TZID (RFC 5545 §3.3.5 form #3) and the feed carries its own VTIMEZONE
(§3.6.5), generated from zoneinfo for the years the events span: a 09:30 session stays
09:30 in Paris on both sides of the last Sunday of March. DTSTAMP is UTC (§3.8.7.2).
The refresh hints are RFC 7986 §5.7 REFRESH-INTERVAL plus the older X-PUBLISHED-TTL that
Outlook and Google read. Text escaping (§3.3.11), line folding at 75 octets (§3.1) and
CRLF line ends are the library's job.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration

# RFC 5545 §3.8.1.11: the statuses a VEVENT may carry.
EVENT_STATUSES = frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"})


@dataclass(frozen=True)
class CalendarEvent:
    """One event of a feed; the datetimes must be timezone-aware."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    description: str = ""
    location: str = ""
    url: str = ""
    last_modified: datetime | None = None
    status: str = "CONFIRMED"
    categories: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.uid.strip():
            raise ValueError("an event needs a UID (RFC 5545 §3.8.4.7)")
        for field in ("start", "end", "last_modified"):
            value = getattr(self, field)
            if value is not None and (value.tzinfo is None or value.utcoffset() is None):
                raise ValueError(f"event {self.uid}: {field} is a naive datetime")
        if self.end <= self.start:
            raise ValueError(f"event {self.uid}: end must be after start")
        if self.status not in EVENT_STATUSES:
            raise ValueError(f"event {self.uid}: unknown status {self.status!r}")


@lru_cache(maxsize=64)
def _transitions(zone: ZoneInfo, start: datetime, stop: datetime) -> tuple[datetime, ...]:
    """UTC instants in [start, stop) where the zone's UTC offset changes.

    zoneinfo hides its transition table, so scan hour by hour (a year is 8,760 cheap
    utcoffset calls, ~10 ms) and narrow each change down to the minute; cached, as every
    subscriber's calendar client re-reads its feed every few hours.
    """
    found = []
    step = timedelta(hours=1)
    moment = start
    while moment < stop:
        after = moment + step
        if moment.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            low, high = moment, after  # offset(low) != offset(high)
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high)
        moment = after
    return tuple(found)


def _observance(local: datetime, offset_from: timedelta) -> TimezoneStandard | TimezoneDaylight:
    """A STANDARD or DAYLIGHT block starting at the aware `local` datetime (RFC 5545 §3.6.5).

    Its DTSTART is the onset written as local time in the offset in force before it
    (TZOFFSETFROM, §3.8.3.3) — for Paris in March 02:00, not 03:00.
    """
    offset_to = local.utcoffset()
    assert offset_to is not None
    block = TimezoneDaylight() if local.dst() else TimezoneStandard()
    block.add("dtstart", (local.astimezone(UTC) + offset_from).replace(tzinfo=None))
    block.add("tzoffsetfrom", offset_from)
    block.add("tzoffsetto", offset_to)
    block.add("tzname", local.tzname() or str(offset_to))
    return block


def _vtimezone(tzid: str, years: range) -> Timezone:
    """The VTIMEZONE of `tzid` for the given years, from the system's zoneinfo.

    One observance for the state at the start of the first year, then one per
    transition. Written by hand rather than with `Timezone.from_tzid`, whose onsets
    (icalendar 7.3) are the first local time after the change, an hour late in March.
    """
    zone = ZoneInfo(tzid)
    start = datetime(years.start, 1, 1, tzinfo=zone)
    stop = datetime(years.stop, 1, 1, tzinfo=zone)
    component = Timezone()
    component.add("tzid", tzid)
    first_offset = start.utcoffset()
    assert first_offset is not None
    component.add_component(_observance(start, first_offset))
    for instant in _transitions(zone, start.astimezone(UTC), stop.astimezone(UTC)):
        before = (instant - timedelta(minutes=1)).astimezone(zone).utcoffset()
        assert before is not None
        component.add_component(_observance(instant.astimezone(zone), before))
    return component


def _years(zone: ZoneInfo, events: list[CalendarEvent], now: datetime) -> range:
    """The local years the events touch; the current one for an empty feed."""
    years = [moment.astimezone(zone).year for e in events for moment in (e.start, e.end)]
    first = min(years, default=now.astimezone(zone).year)
    return range(first, max(years, default=first) + 1)


def feed(
    *,
    name: str,
    events: Iterable[CalendarEvent],
    timezone: str = "Europe/Paris",
    prodid: str = "-//Alliances//Parcours//FR",
    refresh_hours: int = 6,
    now: datetime | None = None,
) -> bytes:
    """The whole VCALENDAR (RFC 5545 §3.4) as bytes, ready to serve as text/calendar.

    `now` is the DTSTAMP of every event (when the feed was generated, §3.8.7.2); it is a
    parameter so that tests and caches get byte-identical output.
    """
    if refresh_hours < 1:
        raise ValueError("refresh_hours must be at least 1")
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now is a naive datetime")
    zone = ZoneInfo(timezone)  # ZoneInfoNotFoundError (a KeyError) for an unknown zone
    events = list(events)
    refresh = timedelta(hours=refresh_hours)

    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)  # RFC 7986 §5.1
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    calendar.add("refresh-interval", vDuration(refresh, params={"VALUE": "DURATION"}))
    calendar.add("x-published-ttl", vDuration(refresh))
    calendar.add_component(_vtimezone(timezone, _years(zone, events, now)))

    stamp = now.astimezone(UTC)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.start.astimezone(zone))
        event.add("dtend", item.end.astimezone(zone))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        if item.url:
            event.add("url", item.url)
        if item.last_modified is not None:
            event.add("last-modified", item.last_modified.astimezone(UTC))
        event.add("status", item.status)
        if item.categories:
            event.add("categories", list(item.categories))
        calendar.add_component(event)
    return calendar.to_ical()
