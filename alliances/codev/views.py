"""Pages of the co-development facilitator: the round, its live poller, and my action plans.

Every open browser polls `round_live` every 2 s with the version it shows: an unchanged
round answers 204 after one query (plus the session and user lookups); a changed one
sends back the clock and the board, and the stage when the step changed, as htmx
out-of-band fragments of the same template. Writes work without JavaScript too.
"""

import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances.accounts.models import User
from alliances.journeys.models import CohortRole, Session
from alliances.lib import codev

from . import services
from .forms import ActionFormSet, LearningForm, RoundCreateForm, TimeboxesForm
from .models import NOTE_MAX_CHARS, ActionItem, Round
from .rules import RoundAccess, cohort_role, round_access
from .selectors import (
    action_items_for,
    action_plan_of,
    board_of,
    learnings_of,
    round_with_role,
)
from .steps import speaker, step_name, text

CONTROLS = {
    "start": services.round_start,
    "pause": services.round_pause,
    "resume": services.round_resume,
    "next": services.round_next_step,
    "previous": services.round_previous_step,
    "finish": services.round_finish,
}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def htmx_login_required(view):
    """login_required, except that an htmx request of a signed-out browser (an expired
    session mid-round) gets HX-Redirect to the login page, instead of the login page
    swapped into the round's poller."""
    plain = login_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if _is_htmx(request) and not request.user.is_authenticated:
            page = urlsplit(request.headers.get("HX-Current-URL", "")).path or "/"
            response = HttpResponse(status=204)
            response["HX-Redirect"] = (
                f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page})}"
            )
            return response
        return plain(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


def _int(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None


def _load(request: HttpRequest, pk: int) -> tuple[Round, RoundAccess]:
    round = round_with_role(pk, request.user)
    if round is None:
        raise Http404
    access = round_access(request.user, round, role=getattr(round, "viewer_role", None))
    if not access.see:
        raise Http404
    return round, access


def _round_url(round: Round, anchor: str = "") -> str:
    return reverse("codev:round", args=[round.pk]) + (f"#{anchor}" if anchor else "")


def clock_context(round: Round, now: datetime.datetime) -> dict[str, Any]:
    """The step under way and its countdown, as the clock fragment shows it."""
    state = round.state
    step = codev.current_step(state)
    steps = [
        {
            "number": number,
            "name": step_name(item),
            "minutes": round.timeboxes[item.code],
            "current": index == round.step_index,
            "done": index < round.step_index,
        }
        for index, (number, item) in enumerate(enumerate(codev.STEPS, start=1))
    ]
    context: dict[str, Any] = {"steps": steps, "now": now.replace(microsecond=0), "step": None}
    if step is None:
        context["announcement"] = _("The round is finished.")
        return context
    remaining = codev.remaining_seconds(state, now)
    deadline = None
    if state.step_started_at is not None:
        deadline = state.step_started_at + datetime.timedelta(seconds=codev.step_seconds(state))
        deadline = deadline.replace(microsecond=0)
    name = step_name(step)
    context.update(
        step=step,
        step_number=round.step_index + 1,
        step_label=name,
        speaker=speaker(step),
        purpose=text(step.purpose),
        not_allowed=[text(item) for item in step.not_allowed],
        minutes=round.timeboxes[step.code],
        remaining=remaining,
        over_time=remaining < 0,
        running=codev.is_running(state),
        paused=codev.is_paused(state),
        not_started=round.started_at is None,
        deadline=deadline,
        is_last=round.step_index == len(codev.STEPS) - 1,
        announcement=_("Step %(number)d of %(total)d: %(name)s.")
        % {"number": round.step_index + 1, "total": len(codev.STEPS), "name": name},
    )
    return context


def board_context(round: Round) -> dict[str, Any]:
    board = board_of(round)
    current = None
    if not round.is_finished:
        current = next((e for e in board if e.number - 1 == round.step_index), None)
    return {
        "board_current": current,
        "board_earlier": [entry for entry in board if entry is not current],
        "plan": action_plan_of(round) if round.step_index >= services.SYNTHESE else [],
        "learnings": (learnings_of(round) if round.step_index >= services.APPRENTISSAGES else []),
    }


def stage_context(
    request: HttpRequest, round: Round, access: RoundAccess, board: dict[str, Any], **forms: Any
) -> dict[str, Any]:
    """The forms of the step: note, action plan (step 5 on), learnings (step 6 on).

    They start from the plan and learnings the board has already read.
    """
    context: dict[str, Any] = {"note_max": NOTE_MAX_CHARS}
    context.update(forms)
    if access.plan and round.step_index >= services.SYNTHESE and "plan_formset" not in forms:
        initial = [{"title": item.title, "due": item.due} for item in board["plan"]]
        context["plan_formset"] = ActionFormSet(
            prefix="actions", initial=initial + [{}] * (2 if initial else 3)
        )
    if (
        access.learn
        and round.step_index >= services.APPRENTISSAGES
        and "learning_form" not in forms
    ):
        user = _user(request)
        mine = next((item for item in board["learnings"] if item.user_id == user.pk), None)
        context["learning_form"] = LearningForm(initial={"text": mine.text if mine else ""})
    return context


def _page(
    request: HttpRequest, round: Round, access: RoundAccess, *, status: int = 200, **forms: Any
) -> HttpResponse:
    board = board_context(round)
    context: dict[str, Any] = {
        "round": round,
        "access": access,
        "session": round.session,
        "cohort": round.session.cohort,
        "consultants": list(round.consultants.order_by("display_name", "pk")),
        "session_day": services.session_day(round.session),
        **clock_context(round, timezone.now()),
        **board,
        **stage_context(request, round, access, board, **forms),
    }
    if access.run and not round.is_finished and "timeboxes_form" not in context:
        context["timeboxes_form"] = TimeboxesForm(initial=round.timeboxes)
    return render(request, "codev/round.html", context, status=status)


def _live(
    request: HttpRequest,
    round: Round,
    access: RoundAccess,
    *,
    shown_step: int | None,
    control_error: str = "",
) -> HttpResponse:
    stage_changed = shown_step != round.step_index
    board = board_context(round)
    context: dict[str, Any] = {
        "round": round,
        "access": access,
        "control_error": control_error,
        "stage_changed": stage_changed,
        **clock_context(round, timezone.now()),
        **board,
    }
    if stage_changed:
        context.update(stage_context(request, round, access, board))
    response = render(request, "codev/round.html#live", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round, access = _load(request, pk)
    return _page(request, round, access)


@htmx_login_required
@require_GET
def round_live(request: HttpRequest, pk: int) -> HttpResponse:
    round, access = _load(request, pk)
    if request.GET.get("v") == str(round.version):
        response = HttpResponse(status=204)
        response["Cache-Control"] = "no-store"
        return response
    return _live(request, round, access, shown_step=_int(request.GET.get("step")))


@htmx_login_required
@require_POST
def round_control(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    round, access = _load(request, pk)
    move = CONTROLS.get(action)
    if move is None:
        raise Http404
    if not access.run:
        raise PermissionDenied
    expected = _int(request.POST.get("expected_step"))
    error = ""
    try:
        move(round=round, expected_step=expected)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if _is_htmx(request):
        round, access = _load(request, pk)
        return _live(request, round, access, shown_step=expected, control_error=error)
    if error:
        messages.error(request, error)
    return redirect(_round_url(round))


@htmx_login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    round, access = _load(request, pk)
    if not access.post:
        raise PermissionDenied
    raw = request.POST.get("text", "")
    try:
        services.note_add(round=round, author=_user(request), text=raw)
    except ValidationError as exc:
        errors = exc.message_dict.get("text", exc.messages)
        if _is_htmx(request):
            context = {
                "round": round,
                "note_errors": errors,
                "note_text": raw,
                "note_max": NOTE_MAX_CHARS,
            }
            return render(request, "codev/round.html#note-form", context)
        return _page(request, round, access, note_errors=errors, note_text=raw)
    if _is_htmx(request):
        context = {
            "round": round,
            "oob": True,
            "note_max": NOTE_MAX_CHARS,
            "note_posted": True,
            **board_context(round),
        }
        return render(request, "codev/round.html#note-posted", context)
    return redirect(_round_url(round, "codev-board"))


@login_required
@require_POST
def action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    round, access = _load(request, pk)
    if not access.plan:
        raise PermissionDenied
    formset = ActionFormSet(request.POST, prefix="actions")
    plan_errors: list[str] = []
    if formset.is_valid():
        rows = [
            index
            for index, form in enumerate(formset.forms)
            if form.cleaned_data.get("title") or form.cleaned_data.get("due")
        ]
        items = [
            services.ActionInput(
                title=formset.forms[i].cleaned_data.get("title", ""),
                due=formset.forms[i].cleaned_data.get("due"),
            )
            for i in rows
        ]
        try:
            services.action_plan_save(round=round, items=items)
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                if key == "__all__":
                    plan_errors.extend(errors)
                    continue
                index, field = key.split(".")
                for error in errors:
                    formset.forms[rows[int(index)]].add_error(field, error)
        else:
            messages.success(request, _("The action plan is saved."))
            return redirect(_round_url(round, "codev-plan"))
    return _page(request, round, access, plan_formset=formset, plan_errors=plan_errors)


@login_required
@require_POST
def learning_save(request: HttpRequest, pk: int) -> HttpResponse:
    round, access = _load(request, pk)
    if not access.learn:
        raise PermissionDenied
    form = LearningForm(request.POST)
    if form.is_valid():
        try:
            services.learning_save(round=round, user=_user(request), text=form.cleaned_data["text"])
        except ValidationError as exc:
            for error in exc.message_dict.get("text", exc.messages):
                form.add_error("text", error)
        else:
            messages.success(request, _("Your learnings are saved."))
            return redirect(_round_url(round, "codev-learnings"))
    return _page(request, round, access, learning_form=form)


@login_required
@require_POST
def timeboxes_update(request: HttpRequest, pk: int) -> HttpResponse:
    round, access = _load(request, pk)
    if not access.run:
        raise PermissionDenied
    form = TimeboxesForm(request.POST)
    if form.is_valid():
        try:
            services.round_timeboxes_update(round=round, timeboxes=form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The time boxes are saved."))
            return redirect(_round_url(round))
    return _page(request, round, access, timeboxes_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("cohort", "kind"), pk=pk)
    user = request.user
    assert isinstance(user, User)  # login_required
    if not (user.is_platform_admin or cohort_role(user, session.cohort_id) is not None):
        raise Http404
    if session.kind_id != services.CODEV_KIND:
        raise Http404
    if not user.has_perm("codev.add_round", session):
        raise PermissionDenied
    peers = list(
        User.objects.filter(
            cohort_memberships__cohort_id=session.cohort_id,
            cohort_memberships__role__in=[CohortRole.PARTICIPANT, CohortRole.INTERVENANT],
        )
        .annotate(cohort_role=F("cohort_memberships__role"))
        .order_by("display_name", "pk")
    )
    participants = [p for p in peers if p.cohort_role == CohortRole.PARTICIPANT]
    form = RoundCreateForm(request.POST or None, participants=participants, peers=peers)
    if request.method == "POST" and form.is_valid():
        client = next(p for p in participants if p.pk == form.cleaned_data["client"])
        chosen = set(form.cleaned_data.get("consultants") or [])
        try:
            round = services.round_create(
                session=session,
                client=client,
                facilitator=user,
                problem=form.cleaned_data["problem"],
                consultants=[p for p in peers if p.pk in chosen] if chosen else None,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect(_round_url(round))
    return render(
        request,
        "codev/round_new.html",
        {"session": session, "cohort": session.cohort, "form": form},
    )


@login_required
@require_GET
def my_action_plans(request: HttpRequest) -> HttpResponse:
    # With the trajectoire action each one joined, if any: in the same query.
    items = list(action_items_for(request.user).select_related("trajectoire_action"))
    rounds: dict[int, dict[str, Any]] = {}
    for item in items:
        entry = rounds.setdefault(item.round_id, {"round": item.round, "items": []})
        entry["items"].append(item)
    return render(
        request,
        "codev/my_plans.html",
        {
            "groups": sorted(rounds.values(), key=lambda g: g["round"].session.start, reverse=True),
            "open_count": sum(1 for item in items if not item.done),
        },
    )


@login_required
@require_POST
def action_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ActionItem.objects.for_user(request.user), pk=pk)
    item = services.action_item_mark(item=item, done=request.POST.get("done") == "1")
    if _is_htmx(request):
        return render(request, "codev/my_plans.html#item", {"item": item})
    messages.success(request, _("Action updated."))
    return redirect(reverse("codev:my_plans") + f"#action-{item.pk}")
