"""Reads on the parcours: progress of each participant and of the cohort.

A fixed number of queries whatever the size of the cohort: the counts are grouped in the
database, then assembled here.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from .models import (
    Assignment,
    Attendance,
    Cohort,
    CohortMember,
    CohortRole,
    Session,
    Submission,
    SubmissionStatus,
)

DONE = {SubmissionStatus.RENDU, SubmissionStatus.VALIDE}


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
