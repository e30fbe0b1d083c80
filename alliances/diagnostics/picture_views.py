"""The printable feuille de route of a plan, its PDF, and a promotion's PDFs in one ZIP.

Who sees the feuille de route sees the plan (`diagnostics.view_plan`): a plan one may not
see is not found (404), and anonymous visitors are sent to sign in first. A promotion's
ZIP is for its animateurs and the platform admins, like the animateur's cohort view: 404
to those outside a private cohort, 403 to members who do not animate it.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods

from alliances.journeys.models import Cohort

from .models import Plan, PlanVisibility
from .pdf import (
    cohort_pdfs_get,
    cohort_pdfs_list,
    cohort_pdfs_request,
    feuille_de_route_context,
    feuille_de_route_pdf,
    pdf_filename,
)


def _visible_plan(request: HttpRequest, pk: int) -> Plan:
    plan = get_object_or_404(
        Plan.objects.select_related("pilot_territory__cohort", "owner", "grid"), pk=pk
    )
    if not request.user.has_perm("diagnostics.view_plan", plan):
        raise Http404
    return plan


def _signed_in_or_visible(view):
    """Anonymous visitors of a plan that is not public sign in first; then 404 applies."""

    def wrapped(request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.is_authenticated:
            plan = Plan.objects.filter(pk=pk, visibility=PlanVisibility.PUBLIC).first()
            if plan is None:
                return redirect_to_login(request.get_full_path())
        return view(request, pk)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_GET
@_signed_in_or_visible
def feuille_de_route(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's feuille de route, made to be printed (A4) and the source of its PDF."""
    plan = _visible_plan(request, pk)
    return render(request, "diagnostics/feuille_de_route.html", feuille_de_route_context(plan))


@require_GET
@_signed_in_or_visible
def feuille_de_route_download(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _visible_plan(request, pk)
    response = HttpResponse(feuille_de_route_pdf(plan, request=request), "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(plan)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _animated_cohort(request: HttpRequest, slug: str) -> Cohort:
    cohort = get_object_or_404(Cohort, slug=slug)
    if request.user.has_perm("journeys.manage_cohort", cohort):
        return cohort
    if not request.user.has_perm("journeys.view_cohort", cohort):
        raise Http404
    raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def cohort_pdfs(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for every feuille de route of the promotion (POST), see the latest requests."""
    cohort = _animated_cohort(request, slug)
    if request.method == "POST":
        state = cohort_pdfs_request(cohort_id=cohort.pk, user_id=request.user.pk)
        return redirect("diagnostics:cohort_pdfs_status", slug=cohort.slug, request_id=state.id)
    context = {
        "cohort": cohort,
        "plans": cohort_plan_count(cohort),
        "requests": cohort_pdfs_list(cohort_id=cohort.pk),
    }
    return render(request, "diagnostics/cohort_pdfs.html", context)


def cohort_plan_count(cohort: Cohort) -> int:
    return Plan.objects.filter(pilot_territory__cohort=cohort).count()


@login_required
@require_GET
def cohort_pdfs_status(request: HttpRequest, slug: str, request_id: str) -> HttpResponse:
    """Progress of one request; htmx polls the status fragment until the ZIP is ready."""
    cohort = _animated_cohort(request, slug)
    state = cohort_pdfs_get(cohort_id=cohort.pk, request_id=request_id)
    if state is None:
        raise Http404
    context = {"cohort": cohort, "state": state}
    if request.headers.get("HX-Request"):
        return render(request, "diagnostics/cohort_pdfs_status.html", context)
    return render(request, "diagnostics/cohort_pdfs_request.html", context)


@login_required
@require_GET
def cohort_pdfs_download(request: HttpRequest, slug: str, request_id: str) -> FileResponse:
    cohort = _animated_cohort(request, slug)
    state = cohort_pdfs_get(cohort_id=cohort.pk, request_id=request_id)
    if state is None or state.state != "ready":
        raise Http404
    try:
        handle = default_storage.open(state.zip_name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    name = f"feuilles-de-route-{cohort.slug}.zip"
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list[URLPattern] = [
    path("<int:pk>/feuille-de-route/", feuille_de_route, name="feuille_de_route"),
    path("<int:pk>/feuille-de-route.pdf", feuille_de_route_download, name="feuille_de_route_pdf"),
    path("promotion/<slug:slug>/feuilles-de-route/", cohort_pdfs, name="cohort_pdfs"),
    path(
        "promotion/<slug:slug>/feuilles-de-route/<str:request_id>/",
        cohort_pdfs_status,
        name="cohort_pdfs_status",
    ),
    path(
        "promotion/<slug:slug>/feuilles-de-route/<str:request_id>.zip",
        cohort_pdfs_download,
        name="cohort_pdfs_download",
    ),
]
