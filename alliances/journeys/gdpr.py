"""The parcours' part of a person's data export (see accounts.gdpr): cohorts, sessions,
attendance, feedback and the work they handed in."""

from typing import Any

from django.utils import timezone

from .models import (
    Attendance,
    CalendarToken,
    CohortMember,
    Feedback,
    Registration,
    Session,
    Submission,
)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def gdpr_export(user) -> dict[str, Any]:
    members = CohortMember.objects.filter(user=user).select_related("cohort", "pilot_territory")
    registrations = Registration.objects.filter(user=user).select_related("session")
    attendances = Attendance.objects.filter(user=user).select_related("session")
    feedbacks = Feedback.objects.filter(user=user).select_related("session")
    submissions = Submission.objects.filter(user=user).select_related("assignment__cohort")
    return {
        "cohorts": [
            {
                "cohort": member.cohort.name,
                "role": member.role,
                "pilot_territory": member.pilot_territory.name if member.pilot_territory else None,
                "since": _iso(member.created_at),
            }
            for member in members.order_by("cohort__start", "pk")
        ],
        "sessions_spoken_at": [
            {"session": session.title, "start": _iso(session.start)}
            for session in Session.objects.filter(speakers=user).order_by("start")
        ],
        "registrations": [
            {"session": r.session.title, "start": _iso(r.session.start), "at": _iso(r.created_at)}
            for r in registrations.order_by("session__start", "pk")
        ],
        "attendance": [
            {"session": a.session.title, "start": _iso(a.session.start), "present": a.present}
            for a in attendances.order_by("session__start", "pk")
        ],
        "feedback": [
            {"session": f.session.title, "rating": f.rating, "comment": f.comment}
            for f in feedbacks.order_by("session__start", "pk")
        ],
        "submissions": [
            {
                "cohort": s.assignment.cohort.name,
                "assignment": s.assignment.title,
                "status": s.status,
                "text": s.text,
                "handed_in_at": _iso(s.submitted_at),
                "animateur_feedback": s.feedback,
            }
            for s in submissions.order_by("assignment__due", "pk")
        ],
    }


def gdpr_erase(user) -> None:
    """Private calendar addresses are credentials: revoked with the account. What the person
    did in a cohort (attendance, work) stays, attached to the anonymised account; their name
    is taken out of the work they handed in."""
    from alliances.accounts.gdpr import scrub

    CalendarToken.objects.active().filter(user=user).update(revoked_at=timezone.now())
    work = list(Submission.objects.filter(user=user).only("text"))
    for submission in work:
        submission.text = scrub(submission.text, user)
    Submission.objects.bulk_update(work, ["text"], batch_size=500)
