"""A pilot territory's page: the territory, its team, its progress.

Seen by anyone when the cohort is public, by its members (and platform admins) only
otherwise; others get 404. The public sees the territory and how many people carry it;
members also see the team by name and role and its attendance and work (never e-mails).
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from .models import CohortMember, CohortRole, PilotTerritory
from .selectors import cohort_progress


def _member(user: Any, cohort_id: int) -> CohortMember | None:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return None
    return CohortMember.objects.filter(cohort_id=cohort_id, user=user).first()


@require_GET
def pilot_territory_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    territory = get_object_or_404(
        PilotTerritory.objects.select_related(
            "cohort__programme", "commune", "departement", "organisation"
        ),
        pk=pk,
        cohort__slug=slug,
    )
    cohort = territory.cohort
    user = request.user
    membership = _member(user, cohort.pk)
    admin = bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.is_platform_admin
    )
    if not (cohort.is_public or membership is not None or admin):
        raise Http404
    insider = membership is not None or admin
    team = list(
        territory.members.select_related("user").order_by("role", "user__display_name", "pk")
    )
    context: dict[str, Any] = {
        "territory": territory,
        "cohort": cohort,
        "membership": membership,
        "insider": insider,
        "team": team if insider else [],
        "team_count": sum(1 for m in team if m.role == CohortRole.PARTICIPANT),
    }
    if insider:
        progress = cohort_progress(cohort)
        ours = [p for p in progress.participants if p.member.pilot_territory_id == territory.pk]
        held = sum(p.sessions_held for p in ours)
        attended = sum(p.sessions_attended for p in ours)
        due = sum(p.work_due for p in ours)
        done = sum(p.work_done for p in ours)
        context.update(
            progress=ours,
            sessions_held=progress.sessions_held,
            attendance_rate=attended / held if held else None,
            work_done=done,
            work_due=due,
        )
    return render(request, "journeys/territory_detail.html", context)


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/territoires/<int:pk>/", pilot_territory_detail, name="pilot_territory"),
]
