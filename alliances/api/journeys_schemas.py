"""Shapes of the parcours API: cohorts and their sessions."""

import datetime
from zoneinfo import ZoneInfo

from ninja import Field, Schema

from alliances.journeys.models import Cohort, CohortStatus, Session, SessionMode

STEP_KIND_CODE = r"^[a-z_]{1,30}$"
SLUG = r"^[-a-z0-9_]{1,100}$"
PARIS = ZoneInfo("Europe/Paris")


class CohortOut(Schema):
    id: int
    name: str
    status: CohortStatus
    start: datetime.date
    end: datetime.date
    calendar_url: str | None = Field(
        description="iCalendar feed of a public cohort (null for a private one)"
    )
    programme: str = Field(description="slug of the programme the cohort follows")

    @staticmethod
    def resolve_calendar_url(obj: Cohort) -> str | None:
        # Private cohorts' feeds live at personal token URLs, never in an open listing.
        return f"/parcours/{obj.slug}/calendrier.ics" if obj.is_public else None

    @staticmethod
    def resolve_programme(obj: Cohort) -> str:
        return obj.programme.slug


class CohortFilters(Schema):
    status: CohortStatus | None = None
    programme: str | None = Field(None, pattern=SLUG, description="slug of a programme")


class SessionOut(Schema):
    id: int
    title: str
    kind: str = Field(description="code of the kind, e.g. codeveloppement")
    start: datetime.datetime
    end: datetime.datetime
    mode: SessionMode

    @staticmethod
    def resolve_kind(obj: Session) -> str:
        return obj.kind_id

    # In Paris time with its offset: what people read on the invitation.
    @staticmethod
    def resolve_start(obj: Session) -> datetime.datetime:
        return obj.start.astimezone(PARIS)

    @staticmethod
    def resolve_end(obj: Session) -> datetime.datetime:
        return obj.end.astimezone(PARIS)


class SessionFilters(Schema):
    kind: str | None = Field(
        None, pattern=STEP_KIND_CODE, description="code of a session kind, e.g. webinaire"
    )
    after: datetime.datetime | None = Field(None, description="sessions ending after this")
    before: datetime.datetime | None = Field(None, description="sessions starting before this")
