"""The cohort end report (bilan de promotion): what the cohort produced, printable, as XLSX.

Members of the cohort and platform admins see it whole; when the cohort is public anyone
sees it without per-person figures; others get 404. The page and the workbook are made
from the same tables.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alliances.codev.selectors import rounds_of_cohort

from .exports import Table, Value, to_xlsx
from .models import Cohort, CohortMember
from .selectors import CohortReport, cohort_report
from .services import PARIS


def _percent(rate: float | None) -> int | None:
    return None if rate is None else round(rate * 100)


def _mean(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _report_for(request: HttpRequest, slug: str) -> tuple[Cohort, bool]:
    """The cohort, and whether the viewer sees per-person figures."""
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)
    user: Any = request.user
    active = bool(getattr(user, "is_authenticated", False) and user.is_active)
    insider = active and (
        user.is_platform_admin or CohortMember.objects.filter(cohort=cohort, user=user).exists()
    )
    if not (insider or cohort.is_public):
        raise Http404
    return cohort, insider


def report_tables(report: CohortReport, *, per_person: bool) -> list[Table]:
    sessions = Table(
        title=_("Sessions held"),
        headers=[
            _("Date"),
            _("Session"),
            _("Kind"),
            _("Present"),
            _("Attendance (%)"),
            _("Mean rating (out of 5)"),
            _("Ratings"),
            _("Comments"),
        ],
        rows=[
            [
                f"{timezone.localtime(s.session.start, PARIS):%Y-%m-%d}",
                s.session.title,
                s.session.kind.name,
                s.present,
                _percent(s.attendance_rate),
                _mean(s.rating_mean),
                s.rating_count,
                s.comment_count,
            ]
            for s in report.sessions
        ],
    )
    work = Table(
        title=_("Individual work"),
        headers=[_("Due"), _("Work"), _("Handed in"), _("Approved"), _("Participants")],
        rows=[
            [
                f"{a.assignment.due:%Y-%m-%d}",
                a.assignment.title,
                a.handed_in,
                a.approved,
                a.participants,
            ]
            for a in report.assignments
        ],
    )
    territories = Table(
        title=_("Pilot territories"),
        headers=[
            _("Pilot territory"),
            _("Participants"),
            _("Attendance (%)"),
            _("Work handed in"),
            _("Work due"),
        ],
        rows=[
            [t.territory.name, t.participants, _percent(t.attendance_rate), t.work_done, t.work_due]
            for t in report.territories
        ],
    )
    tables = [sessions, work, territories]
    if per_person:
        rows: list[list[Value]] = []
        for p in report.progress.participants:
            territory = p.member.pilot_territory
            rows.append(
                [
                    str(p.member.user),
                    territory.name if territory else "",
                    p.sessions_attended,
                    p.sessions_held,
                    p.work_done,
                    p.work_due,
                ]
            )
        tables.append(
            Table(
                title=_("Participants"),
                headers=[
                    _("Participant"),
                    _("Pilot territory"),
                    _("Sessions attended"),
                    _("Sessions held"),
                    _("Work handed in"),
                    _("Work due"),
                ],
                rows=rows,
            )
        )
    return tables


@require_GET
def cohort_report_view(request: HttpRequest, slug: str) -> HttpResponse:
    cohort, insider = _report_for(request, slug)
    report = cohort_report(cohort)
    context: dict[str, Any] = {
        "cohort": cohort,
        "report": report,
        "insider": insider,
        "attendance_percent": _percent(report.attendance_rate),
        "work_percent": _percent(report.progress.work_done_rate),
        "rating_mean": _mean(report.rating_mean),
        "now": timezone.now(),
        "codev_rounds": rounds_of_cohort(cohort.pk),
    }
    return render(request, "journeys/report_cohort.html", context)


@require_GET
def cohort_report_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    cohort, insider = _report_for(request, slug)
    body = to_xlsx(report_tables(cohort_report(cohort), per_person=insider))
    response = HttpResponse(
        body,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="bilan-{cohort.slug}.xlsx"'
    return response


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/bilan-de-promotion/", cohort_report_view, name="cohort_report"),
    path("<slug:slug>/bilan-de-promotion.xlsx", cohort_report_xlsx, name="cohort_report_xlsx"),
]
