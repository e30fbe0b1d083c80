"""Pages of the parcours: the list, a programme's public page, the cohort space, its feed.

The cohort space reads everything it shows in a fixed number of queries (locked in
tests/test_views.py): phases, sessions with their seat counts and the visitor's own
registration, assignments, the visitor's submissions, territories with their people.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliances.accounts.models import User
from alliances.lib.ical import feed

from .feeds import session_events
from .models import (
    Assignment,
    Cohort,
    CohortMember,
    CohortPhase,
    CohortRole,
    PilotTerritory,
    Programme,
    Registration,
    Session,
    Submission,
    SubmissionStatus,
)
from .pagecache import cached_cohort_page, page_valid_until
from .selectors import DONE, timeline_picture
from .services import PARIS, session_register

# 365.25 / 12: a programme's day offset shown as its month, M1 to M9.
DAYS_PER_MONTH = 30.4375


@dataclass
class TimelineItem:
    """A session or a due date on the timeline, with its state relative to now."""

    kind: str  # "session" or "due"
    obj: Session | Assignment
    sort_key: tuple[datetime.date, datetime.time]
    state: str = "upcoming"  # past, current, next or upcoming


@dataclass
class TimelinePhase:
    phase: CohortPhase | None
    state: str
    items: list[TimelineItem]


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    cohorts = Cohort.objects.visible_to(request.user).select_related("programme")
    programmes = Programme.objects.filter(is_public=True)
    return render(request, "journeys/index.html", {"cohorts": cohorts, "programmes": programmes})


@require_GET
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(
        Programme.objects.prefetch_related("phases__steps__kind"), slug=slug, is_public=True
    )
    phases = [
        (phase, [(step, int(step.offset_days / DAYS_PER_MONTH) + 1) for step in phase.steps.all()])
        for phase in programme.phases.all()
    ]
    public_cohorts = (
        programme.cohorts.public()
        .prefetch_related(
            Prefetch("pilot_territories", queryset=PilotTerritory.objects.order_by("name", "pk"))
        )
        .order_by("-start", "name")
    )
    return render(
        request,
        "journeys/programme.html",
        {"programme": programme, "phases": phases, "public_cohorts": list(public_cohorts)},
    )


def _visible_cohort(request: HttpRequest, slug: str) -> Cohort:
    cohort = Cohort.objects.select_related("programme").filter(slug=slug).first()
    # A private cohort is not found for those outside it: its existence does not leak.
    if cohort is None or not request.user.has_perm("journeys.view_cohort", cohort):
        raise Http404
    return cohort


def _timeline(
    phases: list[CohortPhase], sessions: list[Session], assignments: list[Assignment]
) -> list[TimelinePhase]:
    """Sessions and due dates grouped by phase in date order, each marked past/current/next."""
    now = timezone.now()
    today = timezone.localdate(now, PARIS)
    items: list[TimelineItem] = []
    next_marked = False
    for session in sessions:  # already in start order
        local = timezone.localtime(session.start, PARIS)
        item = TimelineItem("session", session, (local.date(), local.time()))
        if session.end <= now:
            item.state = "past"
        elif session.start <= now:
            item.state = "current"
        elif not next_marked:
            item.state, next_marked = "next", True
        items.append(item)
    for assignment in assignments:
        item = TimelineItem("due", assignment, (assignment.due, datetime.time.max))
        item.state = (
            "past"
            if assignment.due < today
            else ("current" if assignment.due == today else "upcoming")
        )
        items.append(item)
    items.sort(key=lambda item: item.sort_key)
    by_phase: dict[int | None, list[TimelineItem]] = {}
    for item in items:
        by_phase.setdefault(item.obj.phase_id, []).append(item)
    groups = []
    for phase in phases:
        if phase.end < today:
            state = "past"
        elif phase.start <= today:
            state = "current"
        else:
            state = "upcoming"
        groups.append(TimelinePhase(phase, state, by_phase.pop(phase.pk, [])))
    leftover = [item for group in by_phase.values() for item in group]
    if leftover:
        groups.append(TimelinePhase(None, "", sorted(leftover, key=lambda i: i.sort_key)))
    return groups


def _cohort_space(cohort: Cohort, user: Any) -> dict[str, Any]:
    authenticated = user.is_authenticated
    membership = (
        CohortMember.objects.filter(cohort=cohort, user=user).first() if authenticated else None
    )
    # Meta.ordering does not apply to a GROUP BY query: order explicitly.
    queryset = (
        cohort.sessions.select_related("kind")
        .annotate(registered_count=Count("registrations"))
        .order_by("start", "id")
    )
    if authenticated:
        queryset = queryset.annotate(
            is_registered=Exists(Registration.objects.filter(session=OuterRef("pk"), user=user))
        )
    sessions: list[Session] = list(queryset)
    for session in sessions:
        capacity, taken = session.capacity, session.registered_count  # type: ignore[attr-defined]
        seats_left = None if capacity is None else max(capacity - taken, 0)
        session.seats_left = seats_left  # type: ignore[attr-defined]
    assignments = list(cohort.assignments.select_related("kind"))
    phases = list(cohort.phases.all())
    show_people = membership is not None or getattr(user, "is_platform_admin", False)
    territories = (
        cohort.pilot_territories.select_related("commune", "organisation")
        .annotate(people_count=Count("members"))
        .order_by("name", "id")
    )
    if show_people:
        territories = territories.prefetch_related(
            Prefetch("members", queryset=CohortMember.objects.select_related("user"))
        )
    now = timezone.now()
    context: dict[str, Any] = {
        "cohort": cohort,
        "membership": membership,
        "timeline": _timeline(phases, sessions, assignments),
        "picture": timeline_picture(
            cohort, phases, sessions, assignments, today=timezone.localdate(now, PARIS)
        ),
        "next_session": next((s for s in sessions if s.end > now), None),
        "territories": list(territories),
        "show_people": show_people,
        "can_register": membership is not None
        and user.has_perm("journeys.register_session", cohort),
        "now": now,
        # What the page says changes when one of these passes (journeys.pagecache).
        "boundaries": [moment for s in sessions for moment in (s.start, s.end)],
    }
    if show_people:
        context["team"] = list(
            cohort.members.exclude(role=CohortRole.PARTICIPANT).select_related("user")
        )
    if membership is not None and membership.role == CohortRole.PARTICIPANT:
        context["todos"] = _todos(assignments, user)
    return context


def _todos(assignments: list[Assignment], user: Any) -> list[dict[str, Any]]:
    submissions = {
        s.assignment_id: s
        for s in Submission.objects.filter(assignment__in=[a.pk for a in assignments], user=user)
    }
    today = timezone.localdate(timezone.now(), PARIS)
    todos = []
    for assignment in assignments:
        submission = submissions.get(assignment.pk)
        status = submission.status if submission else SubmissionStatus.A_FAIRE
        todos.append(
            {
                "assignment": assignment,
                "status": status,
                "status_label": SubmissionStatus(status).label,
                "late": status not in DONE and assignment.due < today,
            }
        )
    return todos


@require_GET
@cached_cohort_page("space")
def cohort_detail(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _visible_cohort(request, slug)
    context = _cohort_space(cohort, request.user)
    response = render(request, "journeys/cohort.html", context)
    page_valid_until(response, context["boundaries"])
    return response


@require_GET
def cohort_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    # Only a public cohort has a public feed; private ones will get personal token URLs.
    cohort = get_object_or_404(Cohort.objects.public(), slug=slug)
    events = session_events(request, cohort.sessions.select_related("kind", "cohort"))
    body = feed(name=cohort.name, events=events)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{cohort.slug}.ics"'
    return response


@login_required
@require_POST
def session_register_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("cohort"), pk=pk)
    if not request.user.has_perm("journeys.view_cohort", session.cohort):
        raise Http404
    if not request.user.has_perm("journeys.register_session", session.cohort):
        raise PermissionDenied
    user = request.user
    assert isinstance(user, User)  # login_required
    try:
        session_register(session=session, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("You are registered to “%(title)s”.") % {"title": session.title}
        )
    # Back where the person registered: the session page, or the cohort space's list.
    if request.POST.get("back") == "session":
        return redirect("journeys:session", pk=session.pk)
    url = reverse("journeys:cohort", args=[session.cohort.slug])
    return redirect(f"{url}#session-{session.pk}")
