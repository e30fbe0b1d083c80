"""The animateur's pages: create a cohort, its settings and dates, its teams, its sessions.

Every page answers 404 to those who may not see the cohort (a private cohort does not
leak), then 403 to those who see it but may not manage it. The checks that need the
database are the services'; their errors are shown on the fields they concern.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from alliances.accounts.models import User

from .console import _check, _managed_cohort
from .forms import (
    AssignmentDueForm,
    CohortCreateForm,
    CohortSettingsForm,
    CohortShiftForm,
    MaterialForm,
    MemberForm,
    PhaseDatesForm,
    PilotTerritoryForm,
    SessionForm,
)
from .models import Cohort, Session, SessionMaterial
from .services import (
    cohort_create_from_programme,
    cohort_member_remove,
    cohort_member_update,
    cohort_settings_update,
    cohort_shift,
    pilot_territory_add,
    session_create,
    session_delete,
    session_material_add,
    session_material_remove,
    session_update,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's errors on the form's fields, the others on the form as a whole."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cohort_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.has_perm("journeys.create_cohort"):
        raise PermissionDenied
    form = CohortCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cohort = cohort_create_from_programme(
                programme=data["programme"],
                name=data["name"],
                start=data["start"],
                status=data["status"],
                visibility=data["visibility"],
                created_by=user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("The cohort “%(name)s” is created: invite its members.") % {"name": cohort.name},
            )
            return redirect("journeys:console", slug=cohort.slug)
    return render(request, "journeys/manage_cohort_create.html", {"form": form})


def _schedule_forms(
    cohort: Cohort, data: Any
) -> tuple[list[tuple[Any, PhaseDatesForm]], list[tuple[Any, AssignmentDueForm]]]:
    phase_forms = [
        (
            phase,
            PhaseDatesForm(
                data, prefix=f"phase-{phase.pk}", initial={"start": phase.start, "end": phase.end}
            ),
        )
        for phase in cohort.phases.all()
    ]
    due_forms = []
    for assignment in cohort.assignments.select_related("phase").order_by("due", "pk"):
        due_form = AssignmentDueForm(
            data, prefix=f"assignment-{assignment.pk}", initial={"due": assignment.due}
        )
        due_form.fields["due"].label = assignment.title
        due_forms.append((assignment, due_form))
    return phase_forms, due_forms


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cohort_settings(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _managed_cohort(request, slug)
    action = request.POST.get("action", "save") if request.method == "POST" else None
    data = request.POST if action == "save" else None
    form = CohortSettingsForm(
        data,
        initial={
            "name": cohort.name,
            "status": cohort.status,
            "visibility": cohort.visibility,
            "end": cohort.end,
        },
    )
    phase_forms, due_forms = _schedule_forms(cohort, data)
    shift_form = CohortShiftForm(request.POST if action == "shift" else None, prefix="shift")
    if action == "shift" and shift_form.is_valid():
        days = shift_form.cleaned_data["days"]
        cohort_shift(cohort=cohort, days=days)
        messages.success(
            request,
            ngettext(
                "The whole calendar moved by %(days)d day.",
                "The whole calendar moved by %(days)d days.",
                abs(days),
            )
            % {"days": days},
        )
        return redirect("journeys:cohort_settings", slug=cohort.slug)
    if action == "save":
        all_forms: list[forms.Form] = [
            form,
            *(f for _p, f in phase_forms),
            *(f for _a, f in due_forms),
        ]
        if all(f.is_valid() for f in all_forms):  # every form validated, for every error
            try:
                cohort_settings_update(
                    cohort=cohort,
                    **form.cleaned_data,
                    phases={
                        p.pk: (f.cleaned_data["start"], f.cleaned_data["end"])
                        for p, f in phase_forms
                    },
                    dues={a.pk: f.cleaned_data["due"] for a, f in due_forms},
                )
            except ValidationError as error:
                by_prefix = {f.prefix: f for f in all_forms if f.prefix}
                for key, errors in error.message_dict.items():
                    prefix, _sep, field = key.rpartition("-")
                    target = by_prefix.get(prefix, form)
                    target.add_error(field if field in target.fields else None, errors)
            else:
                messages.success(request, _("The settings and dates are saved."))
                return redirect("journeys:cohort_settings", slug=cohort.slug)
    has_errors = bool(
        form.errors
        or any(f.errors for _p, f in phase_forms)
        or any(f.errors for _a, f in due_forms)
    )
    context = {
        "cohort": cohort,
        "form": form,
        "phase_forms": phase_forms,
        "due_forms": due_forms,
        "shift_form": shift_form,
        "has_errors": has_errors,
    }
    return render(request, "journeys/manage_settings.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cohort_teams(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _managed_cohort(request, slug)
    territories = list(
        cohort.pilot_territories.select_related("commune", "departement", "organisation").order_by(
            "name", "pk"
        )
    )
    action = request.POST.get("action") if request.method == "POST" else None
    territory_form = PilotTerritoryForm(request.POST if action == "territory" else None)
    if action == "territory" and territory_form.is_valid():
        try:
            territory = pilot_territory_add(cohort=cohort, **territory_form.cleaned_data)
        except ValidationError as error:
            _add_errors(territory_form, error)
        else:
            messages.success(
                request, _("The pilot territory “%(name)s” is added.") % {"name": territory.name}
            )
            return redirect("journeys:cohort_teams", slug=cohort.slug)
    members = list(
        cohort.members.select_related("user", "pilot_territory").order_by(
            "role", "user__display_name", "pk"
        )
    )
    posted_member = request.POST.get("member") if action in {"member", "remove"} else None
    rows = []
    for member in members:
        bound = posted_member == str(member.pk) and action == "member"
        member_form = MemberForm(
            request.POST if bound else None,
            prefix=f"member-{member.pk}",
            territories=territories,
            initial={"role": member.role, "pilot_territory": member.pilot_territory},
        )
        rows.append({"member": member, "form": member_form, "error": ""})
        if bound and member_form.is_valid():
            try:
                cohort_member_update(member=member, **member_form.cleaned_data)
            except ValidationError as error:
                _add_errors(member_form, error)
            else:
                messages.success(request, _("%(name)s: saved.") % {"name": member.user})
                return redirect("journeys:cohort_teams", slug=cohort.slug)
        if action == "remove" and posted_member == str(member.pk):
            try:
                cohort_member_remove(member=member)
            except ValidationError as error:
                rows[-1]["error"] = " ".join(error.messages)
            else:
                messages.success(
                    request,
                    _("%(name)s is no longer a member of the cohort.") % {"name": member.user},
                )
                return redirect("journeys:cohort_teams", slug=cohort.slug)
    context = {
        "cohort": cohort,
        "territories": territories,
        "territory_form": territory_form,
        "rows": rows,
    }
    return render(request, "journeys/manage_teams.html", context)


def _session_data(form: SessionForm) -> tuple[dict[str, Any], list[User]]:
    data = dict(form.cleaned_data)
    speakers = list(data.pop("speakers"))
    for text in ("place", "link", "agenda", "speakers_text", "replay_url"):
        data[text] = data[text] or ""
    return data, speakers


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_new(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _managed_cohort(request, slug)
    form = SessionForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        data, speakers = _session_data(form)
        try:
            session = session_create(cohort=cohort, speakers=speakers, **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("The session “%(title)s” is created.") % {"title": session.title}
            )
            return redirect("journeys:session_update", pk=session.pk)
    context = {"cohort": cohort, "form": form, "session": None}
    return render(request, "journeys/manage_session_form.html", context)


def _managed_session(request: HttpRequest, pk: int) -> Session:
    session = get_object_or_404(Session.objects.select_related("cohort", "kind"), pk=pk)
    _check(request, session.cohort, "journeys.manage_cohort")
    return session


def _session_initial(session: Session) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(session, name)
        for name in (
            "title",
            "mode",
            "place",
            "link",
            "start",
            "end",
            "agenda",
            "capacity",
            "speakers_text",
            "replay_url",
        )
    }
    initial["kind"], initial["phase"] = session.kind_id, session.phase_id
    initial["speakers"] = [user.pk for user in session.speakers.all()]
    return initial


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _managed_session(request, pk)
    cohort = session.cohort
    initial = _session_initial(session)
    form = SessionForm(request.POST or None, cohort=cohort, initial=initial)
    if request.method == "POST" and form.is_valid():
        data, speakers = _session_data(form)
        try:
            session_update(session=session, data=data, speakers=speakers)
        except ValidationError as error:
            _add_errors(form, error)
            session.refresh_from_db()
        else:
            messages.success(request, _("The session is saved."))
            return redirect("journeys:session_update", pk=session.pk)
    return _session_edit_page(request, session, form, MaterialForm(prefix="material"))


def _session_edit_page(
    request: HttpRequest, session: Session, form: SessionForm, material_form: MaterialForm
) -> HttpResponse:
    context = {
        "cohort": session.cohort,
        "session": session,
        "form": form,
        "material_form": material_form,
        "materials": list(session.materials.all()),
    }
    return render(request, "journeys/manage_session_form.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_remove(request: HttpRequest, pk: int) -> HttpResponse:
    session = _managed_session(request, pk)
    if request.method == "POST":
        slug, title = session.cohort.slug, session.title
        session_delete(session=session)
        messages.success(request, _("The session “%(title)s” is deleted.") % {"title": title})
        return redirect("journeys:console", slug=slug)
    context = {
        "cohort": session.cohort,
        "session": session,
        "registered": session.registrations.count(),
    }
    return render(request, "journeys/manage_session_delete.html", context)


@login_required
@require_POST
def material_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _managed_session(request, pk)
    material_form = MaterialForm(request.POST, request.FILES, prefix="material")
    if material_form.is_valid():
        data = material_form.cleaned_data
        try:
            session_material_add(
                session=session,
                title=data["title"],
                file=data["file"] or None,
                url=data["url"] or "",
                added_by=_user(request),
            )
        except ValidationError as error:
            _add_errors(material_form, error)
        else:
            messages.success(request, _("The material is added."))
            return redirect("journeys:session_update", pk=session.pk)
    form = SessionForm(cohort=session.cohort, initial=_session_initial(session))
    return _session_edit_page(request, session, form, material_form)


@login_required
@require_POST
def material_remove(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(SessionMaterial.objects.select_related("session__cohort"), pk=pk)
    _check(request, material.session.cohort, "journeys.manage_cohort")
    session_pk = material.session_id
    session_material_remove(material=material)
    messages.success(request, _("The material is removed."))
    return redirect("journeys:session_update", pk=session_pk)


urlpatterns: list[URLPattern] = [
    path("animation/nouvelle-promotion/", cohort_create, name="cohort_create"),
    path("<slug:slug>/animation/reglages/", cohort_settings, name="cohort_settings"),
    path("<slug:slug>/animation/equipes/", cohort_teams, name="cohort_teams"),
    path("<slug:slug>/animation/seances/nouvelle/", session_new, name="session_create"),
    path("seances/<int:pk>/modifier/", session_edit, name="session_update"),
    path("seances/<int:pk>/supprimer/", session_remove, name="session_delete"),
    path("seances/<int:pk>/supports/", material_add, name="material_add"),
    path("supports/<int:pk>/retirer/", material_remove, name="material_remove"),
]
