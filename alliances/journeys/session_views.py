"""A session's own page, registration and its cancellation, and the download of supports.

The page is seen by whoever sees the cohort: anyone for a public cohort (the online link
hidden), the members (and platform admins) for a private one, others get 404. It reads
what it shows in a fixed number of queries (locked in tests/test_session_pages.py).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliances.accounts.models import User
from alliances.lib.richtext import render_markdown

from .models import REGISTERING_ROLES, CohortMember, CohortRole, Session, SessionMaterial
from .services import registration_cancel


def _membership(user: Any, cohort_id: int) -> CohortMember | None:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return None
    return CohortMember.objects.filter(cohort_id=cohort_id, user=user).first()


def _may_see(user: Any, session: Session, membership: CohortMember | None) -> bool:
    """Same answer as the `journeys.view_cohort` rule, without asking the membership again."""
    if session.cohort.is_public or membership is not None:
        return True
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.is_platform_admin
    )


@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(
        Session.objects.select_related("cohort", "kind", "phase").annotate(
            registered_count=Count("registrations")
        ),
        pk=pk,
    )
    user = request.user
    membership = _membership(user, session.cohort_id)
    if not _may_see(user, session, membership):
        raise Http404
    now = timezone.now()
    admin = bool(user.is_authenticated and user.is_active and user.is_platform_admin)
    capacity = session.capacity
    taken: int = session.registered_count  # type: ignore[attr-defined]
    is_registered = membership is not None and session.registrations.filter(user=user).exists()
    context: dict[str, Any] = {
        "session": session,
        "cohort": session.cohort,
        "membership": membership,
        "now": now,
        "started": session.start <= now,
        "ended": session.end <= now,
        # Sanitised by nh3 (alliances.lib.richtext): safe to mark safe.
        "agenda_html": mark_safe(render_markdown(session.agenda)),  # noqa: S308
        "speakers": list(session.speakers.order_by("display_name", "pk")),
        "materials": list(session.materials.all()),
        "registered_count": taken,
        "seats_left": None if capacity is None else max(capacity - taken, 0),
        "is_registered": is_registered,
        "can_register": membership is not None and membership.role in REGISTERING_ROLES,
        "can_manage": admin or (membership is not None and membership.role == CohortRole.ANIMATEUR),
        "show_link": membership is not None or admin,
    }
    return render(request, "journeys/session_detail.html", context)


@login_required
@require_POST
def session_unregister(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("cohort"), pk=pk)
    user = request.user
    assert isinstance(user, User)  # login_required
    if not _may_see(user, session, _membership(user, session.cohort_id)):
        raise Http404
    if session.end <= timezone.now():
        messages.error(request, _("This session is over."))
    else:
        registration_cancel(session=session, user=user)
        messages.success(
            request,
            _("Your registration to “%(title)s” is cancelled.") % {"title": session.title},
        )
    return redirect("journeys:session", pk=session.pk)


@require_GET
def material_download(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(SessionMaterial.objects.select_related("session__cohort"), pk=pk)
    session = material.session
    if not _may_see(request.user, session, _membership(request.user, session.cohort_id)):
        raise Http404
    if not material.file:
        return redirect(material.url)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    name = material.file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list[URLPattern] = [
    path("seances/<int:pk>/", session_detail, name="session"),
    path("seances/<int:pk>/desinscription/", session_unregister, name="session_unregister"),
    path("supports/<int:pk>/", material_download, name="material"),
]
