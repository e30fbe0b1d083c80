"""Pages of the alliances registry: the list, an alliance and its 36-month follow-up, the
form the partners' members create and edit it with."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances.actors.selectors import wants_fragment
from alliances.core.pagecache import cached_public_page
from alliances.lib.text import fold
from alliances.territories.models import Commune, Departement

from .forms import (
    AllianceEditForm,
    IndicatorForm,
    NoteForm,
    PartnerFormSet,
    organisations_for,
)
from .models import Alliance, PartnerRole
from .selectors import (
    alliance_detail,
    alliance_directory,
    checkpoints,
    indicator_series,
    timeline,
    visible_actions,
)
from .services import (
    PartnerSpec,
    alliance_create,
    alliance_delete,
    alliance_update,
    followup_note_add,
    indicator_record,
)

SUGGESTIONS = 12


@require_GET
@cached_public_page
def index(request: HttpRequest) -> HttpResponse:
    directory = alliance_directory(Alliance.objects.visible_to(request.user), request.GET)
    context = {"directory": directory}
    template = (
        "partnerships/index.html#results" if wants_fragment(request)
        else "partnerships/index.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _visible_alliance(request: HttpRequest, pk: int) -> Alliance:
    alliance = alliance_detail(pk)
    if alliance is None or not request.user.has_perm("partnerships.view_alliance", alliance):
        raise Http404
    return alliance


def _followup_context(request: HttpRequest, alliance: Alliance, **forms) -> dict:
    today = timezone.localdate()
    can_change = request.user.has_perm("partnerships.change_alliance", alliance)
    context = {
        "alliance": alliance,
        "can_change": can_change,
        "timeline": timeline(alliance, today),
        "checkpoints": checkpoints(alliance, list(alliance.notes.all()), today),
        "series": indicator_series(list(alliance.indicators.all())),
    }
    if can_change:
        context["note_form"] = forms.get("note_form") or NoteForm(initial={"date": today})
        context["indicator_form"] = forms.get("indicator_form") or IndicatorForm(
            initial={"date": today}
        )
    return context


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = _visible_alliance(request, pk)
    context = _followup_context(request, alliance)
    context["actions"] = visible_actions(alliance, request.user)
    return render(request, "partnerships/detail.html", context)


def _suggestions(request: HttpRequest, alliance: Alliance | None = None) -> HttpResponse:
    """<option>s for the datalist of the field being typed in (htmx)."""
    field = request.headers.get("HX-Trigger-Name", "")
    value = request.GET.get(field, "").strip()
    options: list[str] = []
    if len(fold(value)) >= 2:
        if field == "territory":
            communes = Commune.objects.search(value).order_by("-population", "name")
            options = [f"{c.code} — {c.name}" for c in communes[:SUGGESTIONS]]
            options += [
                f"{d.code} — {d.name}"
                for d in Departement.objects.filter(name__icontains=value)[:4]
            ]
        elif field.startswith("partners-") and field.endswith("-organisation"):
            found = (
                organisations_for(request.user, alliance)
                .search(value)
                .select_related("commune")
                .order_by("name")[:SUGGESTIONS]
            )
            options = [
                f"{o.pk} — {o.name}" + (f" ({o.commune.name})" if o.commune else "")
                for o in found
            ]
    return render(request, "partnerships/_suggestions.html", {"options": options})


def _apply_service_errors(error: ValidationError, form, context: dict) -> None:
    for key, messages_ in error.message_dict.items():
        if key in ("commune", "departement"):
            key = "territory"
        if key == "partners":
            context["partner_errors"].extend(messages_)
        elif key in form.fields:
            for message in messages_:
                form.add_error(key, message)
        else:
            for message in messages_:
                form.add_error(None, message)


def _edit_alliance(request: HttpRequest, alliance: Alliance | None) -> HttpResponse:
    """The create and edit form: the alliance and its partners, saved by the services."""
    if request.method == "GET" and request.headers.get("HX-Request"):
        return _suggestions(request, alliance)
    user = request.user
    organisations = organisations_for(user, alliance)
    data = request.POST if request.method == "POST" else None
    form = AllianceEditForm(data, instance=alliance, user=user)
    if alliance is not None:
        initial = [
            {"organisation": f"{p.organisation_id} — {p.organisation.name}", "role": p.role}
            for p in alliance.partners.all()
        ]
    else:
        mine = list(user.memberships.select_related("organisation")[:2])
        initial = [
            {"organisation": f"{m.organisation_id} — {m.organisation.name}",
             "role": PartnerRole.PORTEUR}
            for m in mine[:1]
        ]
    formset = PartnerFormSet(
        data, prefix="partners", initial=initial, organisations=organisations, user=user,
        form_kwargs={},
    )
    if data is None:
        formset.extra = max(1, 4 - max(len(initial), formset.min_num))
    context = {"form": form, "formset": formset, "alliance": alliance, "partner_errors": []}
    if data is not None and form.is_valid() and formset.is_valid():
        partners = [PartnerSpec(org, role) for org, role in formset.partners()]
        extra = {
            "fragilities": form.cleaned_data["fragilities"],
            "resources": form.cleaned_data["resources"],
            "actions": form.cleaned_data["actions"],
        }
        try:
            if alliance is None:
                fields = form.service_data()
                alliance = alliance_create(
                    title=fields.pop("title"), type=fields.pop("type"), form=fields.pop("form"),
                    start_date=fields.pop("start_date"), partners=partners, created_by=user,
                    **extra, **fields,
                )
                messages.success(request, _("The alliance was created."))
            else:
                alliance_update(
                    alliance=alliance, data=form.service_data(), partners=partners, **extra
                )
                messages.success(request, _("The alliance was updated."))
            return redirect(alliance)
        except ValidationError as error:
            _apply_service_errors(error, form, context)
    elif data is not None:
        context["partner_errors"].extend(formset.non_form_errors())
    return render(request, "partnerships/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("partnerships.add_alliance"):
        raise PermissionDenied
    return _edit_alliance(request, None)


def _changeable_alliance(request: HttpRequest, pk: int) -> Alliance:
    """404 for whoever may not see it, 403 for whoever sees it but may not change it."""
    alliance = _visible_alliance(request, pk)
    if not request.user.has_perm("partnerships.change_alliance", alliance):
        raise PermissionDenied
    return alliance


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_alliance(request, _changeable_alliance(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = _visible_alliance(request, pk)
    if not request.user.has_perm("partnerships.delete_alliance", alliance):
        raise PermissionDenied
    if request.method == "POST":
        alliance_delete(alliance=alliance)
        messages.success(request, _("The alliance was deleted."))
        return redirect("partnerships:index")
    return render(request, "partnerships/delete.html", {"alliance": alliance})


def _followup_answer(
    request: HttpRequest, alliance: Alliance, saved: str, **forms
) -> HttpResponse:
    """Saved: back to the follow-up (no JS) or the fragment with a status line (htmx);
    refused: the form again with its located errors."""
    htmx = bool(request.headers.get("HX-Request"))
    if saved and not htmx:
        messages.success(request, saved)
        return redirect(alliance.get_absolute_url() + "#suivi")
    fresh = alliance_detail(alliance.pk)
    context = _followup_context(request, fresh, **({} if saved else forms))
    if htmx:
        context["saved_message"] = saved
        return render(request, "partnerships/_followup.html", context)
    context["actions"] = visible_actions(fresh, request.user)
    return render(request, "partnerships/detail.html", context)


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = _changeable_alliance(request, pk)
    form = NoteForm(request.POST)
    saved = ""
    if form.is_valid():
        try:
            followup_note_add(alliance=alliance, author=request.user, **form.cleaned_data)
            saved = _("The follow-up note was added.")
        except ValidationError as error:
            for key, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(key if key in form.fields else None, message)
    return _followup_answer(request, alliance, saved, note_form=form)


@login_required
@require_POST
def indicator_add(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = _changeable_alliance(request, pk)
    form = IndicatorForm(request.POST)
    saved = ""
    if form.is_valid():
        try:
            indicator_record(alliance=alliance, author=request.user, **form.cleaned_data)
            saved = _("The measure was recorded.")
        except ValidationError as error:
            for key, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(key if key in form.fields else None, message)
    return _followup_answer(request, alliance, saved, indicator_form=form)

