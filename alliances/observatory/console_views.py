"""The analyst's console, under /observatoire/console/: surveys and their waves, a wave's
definition (XLSForm), its response imports followed live, raking, invitations and the open
link, and its status up to publication.

Who: analysts and admins reach the console (`observatory.create_survey`); a survey and its
waves are managed by its owner and admins (`observatory.manage_survey`). Someone who may
see a wave but not manage it (another analyst, or anyone once it is published) gets 403; a
wave they may not even see answers 404, so that its existence does not leak.

Every write goes through a service; a refused one (a located definition error, a bad
margins file, a transition the status does not allow) comes back as the same page with the
errors listed and status 400 or 409, and nothing written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances.accounts.models import User

from . import services
from .collection import invitations_create, invitations_csv
from .console_forms import ImportForm, InvitationsForm, MarginsForm, SurveyForm, WaveForm
from .console_services import wave_set_open_link
from .imports import responses_import
from .models import (
    Invitation,
    Option,
    Question,
    ResponseBatch,
    Survey,
    Wave,
    WaveQuestion,
    WebResponse,
)
from .xlsform import read_xlsform, wave_create_from_xlsform

ERRORS_SHOWN = 100
# The transitions offered as buttons, in the order shown. Publishing from brouillon or en
# collecte closes the wave first (`wave_publish`): a wave whose answers were all imported
# needs no collection.
TRANSITIONS = {
    Wave.Status.BROUILLON: [Wave.Status.COLLECTE, Wave.Status.PUBLIEE, Wave.Status.CLOSE],
    Wave.Status.COLLECTE: [Wave.Status.CLOSE, Wave.Status.PUBLIEE],
    Wave.Status.CLOSE: [Wave.Status.PUBLIEE, Wave.Status.COLLECTE],
    Wave.Status.PUBLIEE: [Wave.Status.CLOSE],
}


def _transition_label(current: str, target: str) -> str:
    if target == Wave.Status.COLLECTE:
        return _("Reopen the collection") if current == Wave.Status.CLOSE \
            else _("Open the collection")
    if target == Wave.Status.CLOSE:
        return _("Withdraw the publication") if current == Wave.Status.PUBLIEE \
            else _("Close the wave")
    return _("Publish")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _check_analyst(request: HttpRequest) -> None:
    if not request.user.has_perm("observatory.create_survey"):
        raise PermissionDenied


def _check_manage(request: HttpRequest, obj: Survey | Wave) -> None:
    """403 to whoever sees it but may not manage it, 404 to whoever may not even see it."""
    user = request.user
    if user.has_perm("observatory.manage_survey", obj):
        return
    if isinstance(obj, Wave):
        visible = user.has_perm("observatory.view_wave", obj)
    else:
        visible = user.has_perm("observatory.view_unpublished")
    raise PermissionDenied if visible else Http404


def _survey(request: HttpRequest, slug: str) -> Survey:
    survey = get_object_or_404(
        Survey.objects.select_related("owner", "region", "departement"), slug=slug
    )
    _check_manage(request, survey)
    return survey


def _wave(request: HttpRequest, pk: int) -> Wave:
    wave = get_object_or_404(Wave.objects.select_related("survey__owner"), pk=pk)
    _check_manage(request, wave)
    return wave


def _batch(request: HttpRequest, pk: int) -> ResponseBatch:
    batch = get_object_or_404(
        ResponseBatch.objects.defer("data").select_related("wave__survey__owner", "created_by"),
        pk=pk,
    )
    _check_manage(request, batch.wave)
    return batch


def _located(error: services.DefinitionError) -> list[str]:
    return [_located_line(e) for e in error.errors]


def _located_line(error: services.LocatedError) -> str:
    """« Feuille survey, ligne 7, colonne « type » : … » — the words an analyst reads."""
    where = []
    if error.sheet:
        where.append(_("sheet %(sheet)s") % {"sheet": error.sheet})
    if error.row is not None:
        where.append(_("line %(line)s") % {"line": error.row})
    if error.column:
        where.append(_("column « %(column)s »") % {"column": error.column})
    if not where:
        return error.message
    text = ", ".join(where)
    return _("%(where)s: %(message)s") % {"where": text[:1].upper() + text[1:],
                                         "message": error.message}


# -- the list of surveys -------------------------------------------------------------------


def _managed_surveys(user) -> Any:
    surveys = Survey.objects.select_related("region", "departement").prefetch_related(
        Prefetch("waves", queryset=Wave.objects.only(
            "id", "survey_id", "label", "status", "created_at", "field_start", "field_end"
        ))
    )
    return surveys if user.is_platform_admin else surveys.filter(owner=user)


@login_required
@require_http_methods(["GET", "POST"])
def console(request: HttpRequest) -> HttpResponse:
    _check_analyst(request)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(owner=_user(request), **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The survey « %(title)s » is created. Add its first "
                                        "wave.") % {"title": survey.title})
            return redirect("observatory:console_survey", slug=survey.slug)
    context = {"surveys": _managed_surveys(request.user), "form": form}
    return render(request, "observatory/console/index.html", context,
                  status=400 if request.method == "POST" else 200)


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# -- a survey and its waves ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def survey_detail(request: HttpRequest, slug: str) -> HttpResponse:
    survey = _survey(request, slug)
    form = WaveForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["xlsform"]
        attributes = _attributes(request, data["attributes"])
        try:
            wave = wave_create_from_xlsform(
                survey=survey, label=data["label"], file=upload,
                filename=upload.name or "form.xlsx",
                created_by=_user(request), attributes=attributes,
                field_start=data["field_start"], field_end=data["field_end"],
            )
        except services.DefinitionError as error:
            errors = _located(error)
            # The file must be chosen again; the attributes ticked are kept as typed ones.
            form.data = request.POST.copy()
            form.data["attributes"] = ", ".join(attributes)
        else:
            messages.success(request, _("The wave « %(label)s » is created with %(count)s "
                                        "questions.") % {"label": wave.label,
                                                          "count": wave.questions.count()})
            # What the form asks that the questionnaire will not do (skip logic…).
            for warning in getattr(wave, "xlsform_warnings", []):
                messages.warning(request, _located_line(warning))
            return redirect("observatory:console_wave", pk=wave.pk)
    # The rows imported by a subquery: summed over a join with the questions, each batch
    # would count once per question.
    imported = (ResponseBatch.objects.filter(wave=OuterRef("pk"), status=ResponseBatch.Status.DONE)
                .values("wave").annotate(rows=Sum("rows_imported")).values("rows"))
    waves = survey.waves.annotate(question_count=Count("questions"),
                                  respondents=Subquery(imported))
    context = {"survey": survey, "waves": waves, "form": form, "errors": errors}
    return render(request, "observatory/console/survey.html", context,
                  status=400 if request.method == "POST" else 200)


def _attributes(request: HttpRequest, typed: list[str]) -> list[str]:
    """The codes typed in the text field and those ticked in the form's preview."""
    return list(dict.fromkeys([*typed, *request.POST.getlist("attribute_codes")]))


@login_required
@require_POST
def xlsform_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Read the XLSForm chosen in the new wave's form (htmx, on the file input's change):
    its problems at once, or its single-choice questions to tick as respondent attributes.
    Nothing is kept: the form's submission sends the file again."""
    survey = _survey(request, slug)
    upload = request.FILES.get("xlsform")
    typed = set(WaveForm.split_codes(request.POST.get("attributes", "")))
    context: dict[str, Any] = {"survey": survey, "preview_errors": [], "candidates": []}
    if upload is not None:
        try:
            definition = read_xlsform(upload, filename=upload.name or "form.xlsx")
        except services.DefinitionError as error:
            context["preview_errors"] = _located(error)
        else:
            single = {Question.Kind.SINGLE, Question.Kind.SCALE}
            context["candidates"] = [
                (spec.code, spec.label, spec.code in typed)
                for spec in definition.questions if spec.kind in single
            ]
            context["question_count"] = len(definition.questions)
    return render(request, "observatory/console/survey.html#xlsform_preview", context)


# -- a wave --------------------------------------------------------------------------------


def _wave_context(request: HttpRequest, wave: Wave, **forms: Any) -> dict[str, Any]:
    questions = list(
        WaveQuestion.objects.filter(wave=wave).select_related("question")
        .prefetch_related(Prefetch("question__options", queryset=Option.objects.only(
            "id", "question_id", "code", "label")))
    )
    item: Any
    for item in questions:
        labels = {o.code: o.label for o in item.question.options.all()}
        item.options = [(code, labels.get(code, "")) for code in item.option_codes]
    batches = list(ResponseBatch.objects.filter(wave=wave).defer("data")
                   .select_related("created_by").order_by("-id"))
    web = WebResponse.objects.filter(wave=wave).aggregate(
        submitted=Count("id", filter=Q(status=WebResponse.Status.SUBMITTED)),
        drafts=Count("id", filter=Q(status=WebResponse.Status.DRAFT)),
    )
    imported = sum(b.rows_imported for b in batches if b.status == ResponseBatch.Status.DONE)
    open_url = None
    if wave.open_link:
        open_url = request.build_absolute_uri(
            reverse("observatory:answer_open", args=[wave.open_key])
        )
    return {
        "survey": wave.survey,
        "wave": wave,
        "questions": questions,
        "batches": [_batch_view(b) for b in batches],
        "transitions": [(s, _transition_label(wave.status, s))
                        for s in TRANSITIONS[Wave.Status(wave.status)]],
        "imported": imported,
        "web": web,
        "respondents": imported + web["submitted"],
        "invitations": Invitation.objects.filter(wave=wave).count(),
        "open_url": open_url,
        "report": wave.rake_report,
        "report_rows": _report_rows(wave.rake_report),
        "report_error": f"{wave.rake_report['max_margin_error']:.2e}" if wave.rake_report else "",
        "report_tolerance": f"{wave.rake_report['tolerance']:g}" if wave.rake_report else "",
        "margins": wave.margins,
        "import_form": forms.get("import_form") or ImportForm(),
        "margins_form": forms.get("margins_form") or MarginsForm(),
        "invitations_form": forms.get("invitations_form") or InvitationsForm(),
        "margin_errors": forms.get("margin_errors", []),
        "status_error": forms.get("status_error", ""),
    }


def _respondents(wave: Wave) -> int:
    imported = ResponseBatch.objects.filter(
        wave=wave, status=ResponseBatch.Status.DONE
    ).aggregate(rows=Sum("rows_imported"))["rows"] or 0
    return imported + WebResponse.objects.filter(
        wave=wave, status=WebResponse.Status.SUBMITTED).count()


def _report_rows(report: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """The weights' diagnostics before → after, formatted for the page's language."""
    if not report:
        return []
    before, after = report["before"], report["after"]
    rows = [
        (_("Respondents"), "n", 0, 1),
        (_("Smallest weight"), "min", 3, 1),
        (_("Largest weight"), "max", 3, 1),
        (_("Mean weight"), "mean", 3, 1),
        (_("Largest / smallest"), "ratio", 2, 1),
        (_("Kish effective n"), "kish_n_eff", 1, 1),
        (_("Efficiency (%)"), "efficiency", 1, 100),
    ]
    # number_format truncates: round first (52.97 → "53,0", not "52,9").
    return [(label, number_format(round(before[key] * scale, places), places),
             number_format(round(after[key] * scale, places), places))
            for label, key, places, scale in rows]


def _batch_view(batch: Any) -> ResponseBatch:
    """The batch with what its fragment shows: the first errors, and whether to poll."""
    # The importer keeps the first errors and ends the list with a count of the others
    # ({"more": n}, no line).
    errors = [e for e in batch.errors or [] if "more" not in e]
    beyond = sum(int(e.get("more") or 0) for e in batch.errors or [] if "more" in e)
    batch.errors_shown = errors[:ERRORS_SHOWN]
    batch.errors_total = len(errors) + beyond
    batch.errors_more = batch.errors_total - len(batch.errors_shown)
    batch.waiting = batch.status in {ResponseBatch.Status.PENDING, ResponseBatch.Status.RUNNING}
    return batch


def _wave_page(request: HttpRequest, wave: Wave, status: int = 200, **forms: Any) -> HttpResponse:
    return render(request, "observatory/console/wave.html", _wave_context(request, wave, **forms),
                  status=status)


@login_required
@require_GET
def wave_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _wave_page(request, _wave(request, pk))


@login_required
@require_POST
def wave_status(request: HttpRequest, pk: int) -> HttpResponse:
    wave = _wave(request, pk)
    target = request.POST.get("status", "")
    if target not in Wave.Status.values:
        return _wave_page(request, wave, status=400, status_error=_("Unknown status."))
    try:
        # One transaction: publishing closes the wave first, and a refused publication
        # (no respondents) must not leave it closed.
        with transaction.atomic():
            if target == Wave.Status.PUBLIEE:
                wave = services.wave_publish(wave=wave, by=_user(request))
            else:
                wave = services.wave_set_status(wave=wave, status=target, by=_user(request))
    except services.WaveStateError as error:
        wave.refresh_from_db()
        return _wave_page(request, wave, status=409, status_error=str(error))
    messages.success(request, _("The wave is now « %(status)s ».")
                     % {"status": wave.get_status_display()})
    return redirect("observatory:console_wave", pk=wave.pk)


# -- imports -------------------------------------------------------------------------------


@login_required
@require_POST
def wave_import(request: HttpRequest, pk: int) -> HttpResponse:
    wave = _wave(request, pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _wave_page(request, wave, status=400, import_form=form)
    data = form.cleaned_data
    try:
        batch = responses_import(
            wave=wave, file=data["file"], filename=data["file"].name, created_by=_user(request),
            weight_column=data["weight_column"].strip(), skip_bad_rows=data["skip_bad_rows"],
        )
    except services.WaveStateError as error:
        # The file's own problems show later, in the batch's errors.
        form.add_error(None, str(error))
        return _wave_page(request, wave, status=409, import_form=form)
    messages.success(request, _("The file « %(name)s » is being imported.")
                     % {"name": batch.filename})
    return redirect(reverse("observatory:console_wave", args=[wave.pk]) + f"#batch-{batch.pk}")


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's progress: the fragment htmx polls every second while it waits or runs,
    or a page of its own (no JavaScript: the "Refresh" link)."""
    batch = _batch_view(_batch(request, pk))
    context = {"batch": batch, "wave": batch.wave, "survey": batch.wave.survey}
    if not _htmx(request):
        return render(request, "observatory/console/batch.html", context)
    html = render_to_string("observatory/console/wave.html#batch", context, request)
    if not batch.waiting:
        # The import is over: the wave's count of respondents follows (out of band).
        html += render_to_string("observatory/console/wave.html#respondents",
                                 {"respondents": _respondents(batch.wave), "oob": True})
    return HttpResponse(html)


def _download(field, name: str) -> FileResponse:
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def batch_source(request: HttpRequest, pk: int) -> FileResponse:
    batch = _batch(request, pk)
    return _download(batch.source, batch.filename)


@login_required
@require_GET
def batch_rejected(request: HttpRequest, pk: int) -> FileResponse:
    batch = _batch(request, pk)
    stem = batch.filename.rsplit(".", 1)[0]
    return _download(batch.rejected_file, f"{stem}.rejets.csv")


@login_required
@require_GET
def wave_xlsform(request: HttpRequest, pk: int) -> FileResponse:
    wave = _wave(request, pk)
    return _download(wave.xlsform, (wave.xlsform.name or "").rsplit("/", 1)[-1])


# -- raking --------------------------------------------------------------------------------


@login_required
@require_POST
def wave_rake(request: HttpRequest, pk: int) -> HttpResponse:
    wave = _wave(request, pk)
    form = MarginsForm(request.POST, request.FILES)
    if not form.is_valid():
        return _wave_page(request, wave, status=400, margins_form=form)
    try:
        report = services.wave_rake(
            wave=wave, margins=services.margins_read(form.cleaned_data["margins_text"])
        )
    except services.DefinitionError as error:
        return _wave_page(request, wave, status=400, margins_form=form,
                          margin_errors=_located(error))
    except services.WaveStateError as error:
        return _wave_page(request, wave, status=409, margins_form=form,
                          margin_errors=[str(error)])
    if report["converged"]:
        messages.success(request, _("Raked in %(n)s iterations.") % {"n": report["iterations"]})
    else:
        messages.warning(request, _("The raking did not converge in %(n)s iterations: check "
                                    "the margins.") % {"n": report["iterations"]})
    return redirect(reverse("observatory:console_wave", args=[wave.pk]) + "#weighting")


@login_required
@require_POST
def wave_unrake(request: HttpRequest, pk: int) -> HttpResponse:
    wave = _wave(request, pk)
    if wave.status == Wave.Status.PUBLIEE:
        return _wave_page(request, wave, status=409, margin_errors=[
            _("A published wave cannot be weighted again: withdraw it first.")])
    services.wave_unrake(wave=wave)
    messages.success(request, _("The raking is withdrawn: results use the imported weights."))
    return redirect(reverse("observatory:console_wave", args=[wave.pk]) + "#weighting")


# -- collection: invitations and the open link ---------------------------------------------


@login_required
@require_POST
def wave_invitations(request: HttpRequest, pk: int) -> HttpResponse:
    wave = _wave(request, pk)
    form = InvitationsForm(request.POST)
    if not form.is_valid():
        return _wave_page(request, wave, status=400, invitations_form=form)
    try:
        created = invitations_create(wave=wave, count=form.cleaned_data["count"],
                                     labels=form.cleaned_data["labels"])
    except ValueError as error:  # WaveStateError too: a published wave
        form.add_error(None, str(error))
        return _wave_page(request, wave, status=409, invitations_form=form)
    messages.success(request, ngettext(
        "%(count)s invitation created. Download its link.",
        "%(count)s invitations created. Download their links.", len(created),
    ) % {"count": len(created)})
    return redirect(reverse("observatory:console_wave", args=[wave.pk]) + "#collection")


@login_required
@require_GET
def wave_invitations_csv(request: HttpRequest, pk: int) -> HttpResponse:
    wave = _wave(request, pk)
    text = invitations_csv(wave=wave, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    name = f"invitations-{wave.survey.slug}-{wave.label}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def wave_open_link(request: HttpRequest, pk: int) -> HttpResponse:
    wave = _wave(request, pk)
    wave = wave_set_open_link(wave=wave, open=request.POST.get("open") == "1")
    messages.success(request, _("The open link is on.") if wave.open_link
                     else _("The open link is off."))
    return redirect(reverse("observatory:console_wave", args=[wave.pk]) + "#collection")
