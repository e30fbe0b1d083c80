"""Reads on the parcours: progress of each participant and of the cohort.

A fixed number of queries whatever the size of the cohort: the counts are grouped in the
database, then assembled here.
"""

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Q
from django.utils import timezone

from .models import (
    Assignment,
    Attendance,
    Cohort,
    CohortMember,
    CohortRole,
    Feedback,
    PilotTerritory,
    Session,
    Submission,
    SubmissionStatus,
)

DONE = {SubmissionStatus.RENDU, SubmissionStatus.VALIDE}
PARIS = ZoneInfo("Europe/Paris")


@dataclass
class ParticipantProgress:
    member: CohortMember
    sessions_attended: int
    sessions_held: int
    work_done: int
    work_due: int
    late: list[Assignment] = field(default_factory=list)

    @property
    def attendance_rate(self) -> float | None:
        return self.sessions_attended / self.sessions_held if self.sessions_held else None


@dataclass
class CohortProgress:
    participants: list[ParticipantProgress]
    sessions_held: int
    assignments_due: int

    @property
    def attendance_rate(self) -> float | None:
        held = sum(p.sessions_held for p in self.participants)
        attended = sum(p.sessions_attended for p in self.participants)
        return attended / held if held else None

    @property
    def work_done_rate(self) -> float | None:
        due = sum(p.work_due for p in self.participants)
        return sum(p.work_done for p in self.participants) / due if due else None

    @property
    def late_count(self) -> int:
        return sum(len(p.late) for p in self.participants)


def cohort_progress(cohort: Cohort, *, now: datetime.datetime | None = None) -> CohortProgress:
    """Attendance and work of each participant, as of now: five queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    members = list(
        CohortMember.objects.filter(cohort=cohort, role=CohortRole.PARTICIPANT)
        .select_related("user", "pilot_territory")
        .order_by("pilot_territory__name", "user__display_name", "user__email")
    )
    held = Session.objects.filter(cohort=cohort, end__lte=now).count()
    attended = dict(
        Attendance.objects.filter(session__cohort=cohort, session__end__lte=now, present=True)
        .values_list("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    due = list(Assignment.objects.filter(cohort=cohort, due__lt=today).order_by("due", "pk"))
    done = set(
        Submission.objects.filter(assignment__cohort=cohort, status__in=DONE).values_list(
            "user_id", "assignment_id"
        )
    )
    participants = []
    for member in members:
        late = [a for a in due if (member.user_id, a.pk) not in done]
        participants.append(
            ParticipantProgress(
                member=member,
                sessions_attended=attended.get(member.user_id, 0),
                sessions_held=held,
                work_done=len(due) - len(late),
                work_due=len(due),
                late=late,
            )
        )
    return CohortProgress(participants=participants, sessions_held=held, assignments_due=len(due))


# --- the timeline picture ---------------------------------------------------------------

# The picture's coordinate system (viewBox): it scales to the width of its container.
TL_WIDTH = 720
TL_LEFT = 12
TL_RIGHT = 12
TL_PHASE_Y, TL_PHASE_H = 8, 34
TL_AXIS_Y = 50
TL_SESSION_Y = 96
TL_DUE_Y = 124
TL_HEIGHT = 144
# A session's shape says its kind; kinds not listed here are circles.
SESSION_SHAPES = {
    "apport_theorique": "circle",
    "temoignage": "square",
    "mise_en_situation": "triangle",
    "codeveloppement": "hexagon",
    "webinaire": "triangle-down",
    "temps_informel": "star",
}
SHAPE_POINTS: dict[str, list[tuple[float, float]]] = {
    "triangle": [(0, -8), (7, 6), (-7, 6)],
    "triangle-down": [(0, 8), (7, -6), (-7, -6)],
    "hexagon": [(-7, 0), (-3.5, -7), (3.5, -7), (7, 0), (3.5, 7), (-3.5, 7)],
    "star": [
        (0, -8),
        (2.4, -2.6),
        (8, -2.6),
        (3.5, 1.2),
        (5, 7.5),
        (0, 4),
        (-5, 7.5),
        (-3.5, 1.2),
        (-8, -2.6),
        (-2.4, -2.6),
    ],
    "diamond": [(0, -7), (7, 0), (0, 7), (-7, 0)],
}


@dataclass
class PictureBand:
    phase: Any
    x: float
    width: float
    state: str
    position: int
    label_x: float


@dataclass
class PictureTick:
    x: float
    number: int
    date: datetime.date


@dataclass
class PictureMarker:
    obj: Any
    kind: str  # "session" or "due"
    shape: str
    x: float
    y: float
    points: str  # for polygons, relative to (x, y)
    state: str


@dataclass
class TimelinePicture:
    width: int
    height: int
    bands: list[PictureBand]
    ticks: list[PictureTick]
    markers: list[PictureMarker]
    legend: list[tuple[str, str, str]]  # (shape, points, label)
    today_x: float | None
    today: datetime.date
    start: datetime.date
    end: datetime.date
    axis_y: int = TL_AXIS_Y
    phase_y: int = TL_PHASE_Y
    phase_h: int = TL_PHASE_H
    session_y: int = TL_SESSION_Y
    due_y: int = TL_DUE_Y


def _points(shape: str) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in SHAPE_POINTS.get(shape, []))


def timeline_picture(
    cohort: Cohort,
    phases: list,
    sessions: list,
    assignments: list,
    *,
    today: datetime.date,
) -> TimelinePicture:
    """Positions of the phases, months, sessions, due dates and today on the picture.

    Reads nothing: it lays out what the cohort space has already read.
    """
    start, end = cohort.start, cohort.end
    for phase in phases:
        end = max(end, phase.end)
    span = max((end - start).days + 1, 1)
    inner = TL_WIDTH - TL_LEFT - TL_RIGHT

    def x_of(day: datetime.date) -> float:
        days = min(max((day - start).days, 0), span)
        return round(TL_LEFT + inner * days / span, 1)

    bands = []
    for phase in phases:
        state = "past" if phase.end < today else "current" if phase.start <= today else "upcoming"
        x = x_of(phase.start)
        width = max(x_of(phase.end + datetime.timedelta(days=1)) - x, 1)
        bands.append(PictureBand(phase, x, round(width, 1), state, phase.position, x + 4))
    ticks = []
    number, month_start = 1, start
    while month_start < end and number <= 24:
        ticks.append(PictureTick(x_of(month_start), number, month_start))
        number += 1
        # Months of the parcours count from its start day: M2 starts a month after.
        month_start = _month_later(start, number - 1)
    markers = []
    used_shapes: dict[str, str] = {}
    for session in sessions:
        shape = SESSION_SHAPES.get(session.kind_id, "circle")
        used_shapes.setdefault(shape, session.kind.name)
        local = timezone.localtime(session.start, PARIS)
        now = timezone.now()
        state = "past" if session.end <= now else "current" if session.start <= now else "upcoming"
        markers.append(
            PictureMarker(
                session, "session", shape, x_of(local.date()), TL_SESSION_Y, _points(shape), state
            )
        )
    for assignment in assignments:
        state = "past" if assignment.due < today else "upcoming"
        markers.append(
            PictureMarker(
                assignment,
                "due",
                "diamond",
                x_of(assignment.due),
                TL_DUE_Y,
                _points("diamond"),
                state,
            )
        )
    legend = [(shape, _points(shape), label) for shape, label in used_shapes.items()]
    today_x = x_of(today) if start <= today <= end else None
    return TimelinePicture(
        width=TL_WIDTH,
        height=TL_HEIGHT,
        bands=bands,
        ticks=ticks,
        markers=markers,
        legend=legend,
        today_x=today_x,
        today=today,
        start=start,
        end=end,
    )


def _month_later(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


# --- the cohort end report ----------------------------------------------------------------


@dataclass
class SessionSummary:
    session: Session
    present: int
    participants: int
    rating_mean: float | None
    rating_count: int
    comment_count: int

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.participants if self.participants else None


@dataclass
class AssignmentSummary:
    assignment: Assignment
    handed_in: int
    approved: int
    participants: int


@dataclass
class TerritorySummary:
    territory: PilotTerritory
    participants: int
    attendance_rate: float | None
    work_done: int
    work_due: int


@dataclass
class CohortReport:
    cohort: Cohort
    sessions: list[SessionSummary]
    assignments: list[AssignmentSummary]
    territories: list[TerritorySummary]
    progress: CohortProgress
    sessions_planned: int

    @property
    def attendance_rate(self) -> float | None:
        return self.progress.attendance_rate

    @property
    def rating_mean(self) -> float | None:
        total = sum((s.rating_mean or 0) * s.rating_count for s in self.sessions)
        count = sum(s.rating_count for s in self.sessions)
        return total / count if count else None


def cohort_report(cohort: Cohort, *, now: datetime.datetime | None = None) -> CohortReport:
    """What the cohort produced, as of now: a fixed number of queries (eleven)."""
    now = now or timezone.now()
    progress = cohort_progress(cohort, now=now)  # five queries
    participants = len(progress.participants)
    participant_ids = [p.member.user_id for p in progress.participants]
    sessions = list(
        Session.objects.filter(cohort=cohort).select_related("kind").order_by("start", "pk")
    )
    held = [s for s in sessions if s.end <= now]
    present = dict(
        Attendance.objects.filter(
            session__in=[s.pk for s in held], present=True, user_id__in=participant_ids
        )
        .values_list("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )
    ratings: dict[int, Mapping[str, Any]] = {
        row["session_id"]: row
        for row in Feedback.objects.filter(session__in=[s.pk for s in held])
        .values("session_id")
        .annotate(mean=Avg("rating"), n=Count("id"), comments=Count("id", filter=~Q(comment="")))
        .order_by()
    }
    session_rows = [
        SessionSummary(
            session=s,
            present=present.get(s.pk, 0),
            participants=participants,
            rating_mean=ratings.get(s.pk, {}).get("mean"),
            rating_count=ratings.get(s.pk, {}).get("n", 0),
            comment_count=ratings.get(s.pk, {}).get("comments", 0),
        )
        for s in held
    ]
    assignments = list(Assignment.objects.filter(cohort=cohort).order_by("due", "pk"))
    counts: dict[int, Mapping[str, Any]] = {
        row["assignment_id"]: row
        for row in Submission.objects.filter(assignment__cohort=cohort, user_id__in=participant_ids)
        .values("assignment_id")
        .annotate(
            handed=Count("id", filter=Q(status__in=DONE)),
            approved=Count("id", filter=Q(status=SubmissionStatus.VALIDE)),
        )
        .order_by()
    }
    assignment_rows = [
        AssignmentSummary(
            assignment=a,
            handed_in=counts.get(a.pk, {}).get("handed", 0),
            approved=counts.get(a.pk, {}).get("approved", 0),
            participants=participants,
        )
        for a in assignments
    ]
    territory_rows = []
    for territory in PilotTerritory.objects.filter(cohort=cohort).order_by("name", "pk"):
        ours = [p for p in progress.participants if p.member.pilot_territory_id == territory.pk]
        held_n = sum(p.sessions_held for p in ours)
        attended = sum(p.sessions_attended for p in ours)
        territory_rows.append(
            TerritorySummary(
                territory=territory,
                participants=len(ours),
                attendance_rate=attended / held_n if held_n else None,
                work_done=sum(p.work_done for p in ours),
                work_due=sum(p.work_due for p in ours),
            )
        )
    return CohortReport(
        cohort=cohort,
        sessions=session_rows,
        assignments=assignment_rows,
        territories=territory_rows,
        progress=progress,
        sessions_planned=len(sessions),
    )
