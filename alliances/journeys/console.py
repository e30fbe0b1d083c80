"""The animateur's console: progress, attendance, exports (views).

Every view answers 404 to those who may not see the cohort (a private cohort does not
leak), then 403 to those who see it but may not manage it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliances.accounts.models import User

from .exports import Table, attendance_table, roster_table, to_csv, to_xlsx
from .models import Assignment, Attendance, Cohort, CohortMember, CohortRole, Session
from .pagecache import cached_cohort_page, page_valid_until
from .selectors import ParticipantProgress, cohort_progress
from .services import attendance_record

EXPORT_TABLES: dict[str, Callable[[Cohort], Table]] = {
    "membres": roster_table,
    "presences": attendance_table,
}
EXPORT_FORMATS: dict[str, tuple[str, Callable[[Table], bytes]]] = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda table: to_xlsx([table]),
    ),
}


@dataclass
class LateAssignment:
    assignment: Assignment
    members: list[CohortMember] = field(default_factory=list)


def _check(request: HttpRequest, cohort: Cohort, permission: str) -> None:
    # A private cohort is not found for those outside it: its existence does not leak.
    if not request.user.has_perm("journeys.view_cohort", cohort):
        raise Http404
    if not request.user.has_perm(permission, cohort):
        raise PermissionDenied


def _managed_cohort(request: HttpRequest, slug: str) -> Cohort:
    cohort = get_object_or_404(Cohort, slug=slug)
    _check(request, cohort, "journeys.manage_cohort")
    return cohort


def _late_by_assignment(participants: list[ParticipantProgress]) -> list[LateAssignment]:
    """Who is late on what, by piece of work in due order: the list to send reminders from."""
    by_pk: dict[int, LateAssignment] = {}
    for p in participants:
        for assignment in p.late:
            by_pk.setdefault(assignment.pk, LateAssignment(assignment)).members.append(p.member)
    return sorted(by_pk.values(), key=lambda late: (late.assignment.due, late.assignment.pk))


@login_required
@require_GET
@cached_cohort_page("console")
def console(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _managed_cohort(request, slug)
    now = timezone.now()
    progress = cohort_progress(cohort, now=now)
    # Meta.ordering does not apply to a GROUP BY query: order explicitly.
    sessions = list(
        cohort.sessions.select_related("kind")
        .annotate(present_count=Count("attendances", filter=Q(attendances__present=True)))
        .order_by("start", "id")
    )
    context: dict[str, Any] = {
        "cohort": cohort,
        "progress": progress,
        "late": _late_by_assignment(progress.participants),
        "held": [s for s in sessions if s.end <= now],
        "to_come": [s for s in sessions if s.end > now],
        "now": now,
    }
    response = render(request, "journeys/console.html", context)
    page_valid_until(response, [moment for s in sessions for moment in (s.start, s.end)])
    return response


def _expected_people(session: Session) -> list[dict[str, Any]]:
    """The cohort's participants, then the others registered, each with their mark."""
    participants = list(
        CohortMember.objects.filter(cohort_id=session.cohort_id, role=CohortRole.PARTICIPANT)
        .select_related("user", "pilot_territory")
        .order_by("pilot_territory__name", "user__display_name", "user__email")
    )
    seen = {m.user_id for m in participants}
    others = [
        r.user
        for r in session.registrations.select_related("user").order_by(
            "user__display_name", "user__email"
        )
        if r.user_id not in seen
    ]
    present = set(
        Attendance.objects.filter(session=session, present=True).values_list("user_id", flat=True)
    )
    people = [
        {"user": m.user, "territory": m.pilot_territory, "present": m.user_id in present}
        for m in participants
    ]
    people += [{"user": u, "territory": None, "present": u.pk in present} for u in others]
    return people


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("cohort", "kind"), pk=pk)
    _check(request, session.cohort, "journeys.take_attendance")
    errors: list[str] = []
    if request.method == "POST":
        user = request.user
        assert isinstance(user, User)  # login_required
        try:
            ids = [int(value) for value in request.POST.getlist("present")]
            attendance_record(session=session, present_user_ids=ids, recorded_by=user)
        except ValueError:
            errors = [_("The form was not understood; nothing was saved.")]
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request, _("Attendance saved for “%(title)s”.") % {"title": session.title}
            )
            return redirect("journeys:console", slug=session.cohort.slug)
    context = {
        "session": session,
        "cohort": session.cohort,
        "people": _expected_people(session),
        "started": session.start <= timezone.now(),
        "errors": errors,
    }
    return render(request, "journeys/attendance.html", context)


# A cohort's roster and attendance are bounded (tens of people, tens of sessions):
# written during the request, unlike the platform-wide exports that run as tasks.
@login_required
@require_GET
def export(request: HttpRequest, slug: str, kind: str, fmt: str) -> HttpResponse:
    if kind not in EXPORT_TABLES or fmt not in EXPORT_FORMATS:
        raise Http404
    cohort = _managed_cohort(request, slug)
    content_type, write = EXPORT_FORMATS[fmt]
    response = HttpResponse(write(EXPORT_TABLES[kind](cohort)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{cohort.slug}-{kind}.{fmt}"'
    return response


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/animation/", console, name="console"),
    path("<slug:slug>/animation/export/<str:kind>.<str:fmt>", export, name="console_export"),
    path("seances/<int:pk>/presences/", attendance, name="attendance"),
]
