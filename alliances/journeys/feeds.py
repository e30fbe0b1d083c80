"""Sessions as iCalendar events: shared by the public and the private feeds."""

from collections.abc import Iterable

from django.http import HttpRequest
from django.urls import reverse

from alliances.lib.ical import CalendarEvent

from .models import Session


def session_events(request: HttpRequest, sessions: Iterable[Session]) -> list[CalendarEvent]:
    """Each session as an event linking back to its place on the cohort page.

    The sessions need `kind` and `cohort` loaded (select_related).
    """
    return [
        CalendarEvent(
            uid=f"session-{session.pk}@alliances",
            summary=session.title,
            start=session.start,
            end=session.end,
            description=session.agenda,
            location=session.place or session.link,
            url=request.build_absolute_uri(
                reverse("journeys:cohort", args=[session.cohort.slug])
            ) + f"#session-{session.pk}",
            categories=(session.kind.name,),
        )
        for session in sessions
    ]
