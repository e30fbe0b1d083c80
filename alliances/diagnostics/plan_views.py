"""Bilan · cible · trajectoire pages: a team's plan, its bilans (edited together, one
criterion at a time, under htmx or plain POST), its cible and its trajectoire.

A plan is found only by those who may see it (404 otherwise, see rules.py); those who see
it without being of its team or animation read it and are refused changes (403). Writes
need an account: anonymous visitors are sent to the sign-in page.
"""

import datetime
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances.accounts.models import User
from alliances.actors.models import Organisation
from alliances.codev.models import ActionItem
from alliances.codev.selectors import action_items_for
from alliances.journeys.models import Cohort, CohortMember, CohortRole

from . import services
from .forms import (
    ActionForm,
    BilanCreateForm,
    EntryForm,
    MilestoneForm,
    TargetForm,
    VisibilityForm,
)
from .models import (
    Action,
    ActionStatus,
    Bilan,
    BilanStatus,
    Criterion,
    Entry,
    EntryChange,
    Horizon,
    Level,
    Milestone,
    Plan,
)
from .selectors import bilan_levels, latest_version, target_levels, version_structure

ORGANISATION_RESULTS = 10


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _plan(request: HttpRequest, pk: int, *, change: bool = False) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("pilot_territory__cohort", "grid"), pk=pk)
    _check(request, plan, change=change)
    return plan


def _check(request: HttpRequest, plan: Plan, *, change: bool = False, perm: str = "") -> None:
    if not request.user.has_perm("diagnostics.view_plan", plan):
        raise Http404
    if perm and not request.user.has_perm(perm, plan):
        raise PermissionDenied
    if change and not request.user.has_perm("diagnostics.change_plan", plan):
        raise PermissionDenied


def _bilan(request: HttpRequest, pk: int, *, change: bool = False, perm: str = "") -> Bilan:
    bilan = get_object_or_404(
        Bilan.objects.select_related("plan__pilot_territory__cohort", "plan__grid", "grid_version"),
        pk=pk,
    )
    _check(request, bilan.plan, change=change, perm=perm)
    return bilan


def _errors(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(m for messages_ in error.message_dict.values() for m in messages_)
    return " ".join(error.messages)


def _team(plan: Plan) -> list[User]:
    return list(User.objects.filter(pk__in=services.team_user_ids(plan)).order_by("display_name"))


# -- my plans and entry points ------------------------------------------------------------


@login_required
@require_GET
def my_plans(request: HttpRequest) -> HttpResponse:
    """The plans of the viewer's teams, those of the cohorts they animate, and the pilot
    territories of theirs that have no plan yet."""
    user = request.user
    memberships = list(
        CohortMember.objects.filter(user=user)
        .select_related("cohort", "pilot_territory")
        .order_by("cohort__start", "cohort__name")
    )
    animated = [m.cohort_id for m in memberships if m.role == CohortRole.ANIMATEUR]
    territories = [
        m.pilot_territory_id
        for m in memberships
        if m.role == CohortRole.PARTICIPANT and m.pilot_territory_id
    ]
    plans = list(
        Plan.objects.filter(
            Q(owner=user)
            | Q(pilot_territory_id__in=territories)
            | Q(pilot_territory__cohort_id__in=animated)
        )
        .select_related("pilot_territory__cohort")
        .order_by("pilot_territory__cohort__name", "name")
    )
    with_plan = {p.pilot_territory_id for p in plans}
    to_start = [
        m
        for m in memberships
        if m.role == CohortRole.PARTICIPANT
        and m.pilot_territory_id
        and m.pilot_territory_id not in with_plan
    ]
    return render(request, "diagnostics/plan_list.html", {"plans": plans, "to_start": to_start})


@login_required
@require_POST
def personal_create(request: HttpRequest) -> HttpResponse:
    try:
        plan = services.plan_create_personal(user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("diagnostics:my_plans")
    return redirect("diagnostics:plan", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def team_plan(request: HttpRequest, slug: str) -> HttpResponse:
    """The viewer's team plan in a cohort: shown if it exists, made by a POST otherwise."""
    cohort = get_object_or_404(Cohort, slug=slug)
    member = (
        CohortMember.objects.filter(cohort=cohort, user=request.user)
        .select_related("pilot_territory")
        .first()
    )
    if member is None or member.role != CohortRole.PARTICIPANT or member.pilot_territory is None:
        raise Http404
    territory = member.pilot_territory
    existing = Plan.objects.filter(pilot_territory=territory).first()
    if existing is not None:
        return redirect("diagnostics:plan", pk=existing.pk)
    if request.method == "POST":
        try:
            plan = services.plan_for_territory(pilot_territory=territory)
        except ValidationError as error:
            messages.error(request, _errors(error))
            return redirect("journeys:cohort", slug=cohort.slug)
        return redirect("diagnostics:plan", pk=plan.pk)
    return render(
        request, "diagnostics/plan_start.html", {"cohort": cohort, "territory": territory}
    )


# -- the plan -----------------------------------------------------------------------------


def _criterion_rows(axes: list, columns: list[dict[str, int]]) -> list[dict[str, Any]]:
    """Per axis, per criterion: the level in each of `columns` (criterion code → level)."""
    return [
        {
            "axis": axis,
            "criteria": [
                {"criterion": c, "values": [column.get(c.code) for column in columns]}
                for c in axis.criteria.all()
            ],
        }
        for axis in axes
    ]


@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    can_edit = request.user.has_perm("diagnostics.change_plan", plan)
    can_share = request.user.has_perm("diagnostics.share_plan", plan)
    bilans = list(
        plan.bilans.select_related("grid_version")
        .annotate(
            filled=Count("entries", filter=Q(entries__level__isnull=False)),
            total=Count("entries"),
        )
        .order_by("date", "pk")
    )
    latest = bilans[-1] if bilans else None
    version = latest.grid_version if latest else latest_version(plan.grid_id)
    axes = version_structure(version) if version else []
    latest_levels = bilan_levels(latest) if latest else {}
    cible_end = target_levels(plan, Horizon.END)
    cible_m36 = target_levels(plan, Horizon.M36)
    actions = list(plan.actions.select_related("owner").order_by("due", "pk"))
    statuses = Counter(a.status for a in actions)
    today = timezone.localdate()
    context = {
        "plan": plan,
        "can_edit": can_edit,
        "can_share": can_share,
        "bilans": bilans,
        "latest": latest,
        "rows": _criterion_rows(axes, [latest_levels, cible_end, cible_m36]),
        "has_cible": bool(cible_end or cible_m36),
        "action_counts": [(label, statuses.get(value, 0)) for value, label in ActionStatus.choices],
        "next_actions": [a for a in actions if a.status in (ActionStatus.TODO, ActionStatus.DOING)][
            :5
        ],
        "milestones": list(plan.milestones.filter(date__gte=today).order_by("date")[:3]),
        "actions_total": len(actions),
        "bilan_form": BilanCreateForm(initial={"date": today}) if can_edit else None,
        "visibility_form": (
            VisibilityForm(initial={"visibility": plan.visibility}) if can_share else None
        ),
    }
    return render(request, "diagnostics/plan.html", context)


@login_required
@require_POST
def plan_share(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.select_related("pilot_territory"), pk=pk)
    _check(request, plan, perm="diagnostics.share_plan")
    form = VisibilityForm(request.POST)
    if form.is_valid():
        services.plan_visibility_set(plan=plan, visibility=form.cleaned_data["visibility"])
        messages.success(request, _("Sharing saved."))
    else:
        messages.error(request, _("Choose who the plan is shared with."))
    return redirect("diagnostics:plan", pk=plan.pk)


@login_required
@require_POST
def bilan_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, change=True)
    form = BilanCreateForm(request.POST)
    if form.is_valid():
        try:
            bilan = services.bilan_create(
                plan=plan,
                moment=form.cleaned_data["moment"],
                date=form.cleaned_data["date"],
                user=request.user,
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            return redirect("diagnostics:bilan", pk=bilan.pk)
    else:
        messages.error(
            request, " ".join(f"{form[f].label} — {' '.join(e)}" for f, e in form.errors.items())
        )
    return redirect("diagnostics:plan", pk=plan.pk)


# -- a bilan ------------------------------------------------------------------------------


def _bilan_context(request: HttpRequest, bilan: Bilan) -> dict[str, Any]:
    """The version's axes and criteria, each with its entry and its form: a fixed number
    of queries whatever the grid's size."""
    axes = version_structure(bilan.grid_version)
    levels = {lv.rank: lv for lv in Level.objects.filter(version=bilan.grid_version)}
    entries = {
        e.criterion_id: e
        for e in Entry.objects.filter(bilan=bilan)
        .select_related("updated_by")
        .prefetch_related(Prefetch("organisations", queryset=Organisation.objects.order_by("name")))
    }
    editable = bilan.status == BilanStatus.DRAFT and request.user.has_perm(
        "diagnostics.change_plan", bilan.plan
    )
    sections = []
    for axis in axes:
        items = []
        for criterion in axis.criteria.all():
            entry = entries.get(criterion.pk)
            if entry is None:
                continue
            items.append(_item(criterion, entry, levels))
        sections.append({"axis": axis, "items": items})
    filled = sum(1 for e in entries.values() if e.level is not None)
    return {
        "bilan": bilan,
        "plan": bilan.plan,
        "sections": sections,
        "editable": editable,
        "can_validate": bilan.status == BilanStatus.DRAFT
        and request.user.has_perm("diagnostics.validate_bilan", bilan.plan),
        "filled": filled,
        "total": len(entries),
        "levels": list(levels.values()),
        "recent": list(
            EntryChange.objects.filter(entry__bilan=bilan)
            .select_related("user", "entry__criterion")
            .order_by("-at", "-pk")[:5]
        ),
    }


def _item(
    criterion: Criterion,
    entry: Entry,
    levels: dict[int, Level],
    *,
    data: dict[str, Any] | None = None,
    error: str = "",
    conflict: Entry | None = None,
    saved: bool = False,
) -> dict[str, Any]:
    """One criterion's form: the stored entry, or what the person sent back (`data`)."""
    if data is None:
        data = {
            "level": entry.level,
            "evidence": entry.evidence,
            "organisations": list(entry.organisations.all()),
        }
    return {
        "criterion": criterion,
        "entry": entry,
        "choices": [
            {
                "rank": cl.rank,
                "name": levels[cl.rank].name if cl.rank in levels else str(cl.rank),
                "description": cl.description,
            }
            for cl in criterion.levels.all()
        ],
        "level": data["level"],
        "evidence": data["evidence"],
        "organisations": data["organisations"],
        "revision": entry.revision,
        "error": error,
        "conflict": conflict,
        "saved": saved,
    }


@require_GET
def bilan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bilan = _bilan(request, pk)
    return render(request, "diagnostics/bilan.html", _bilan_context(request, bilan))


@login_required
@require_POST
def entry_save(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    bilan = _bilan(request, pk, change=True)
    entry = get_object_or_404(
        Entry.objects.select_related("criterion", "updated_by"),
        bilan=bilan,
        criterion_id=criterion_pk,
    )
    form = EntryForm(request.POST)
    organisation_ids = request.POST.getlist("organisations")
    error, conflict, saved = "", None, False
    if not form.is_valid():
        error = " ".join(f"{form[f].label} — {' '.join(e)}" for f, e in form.errors.items())
    else:
        try:
            entry = services.entry_save(
                entry=entry,
                user=request.user,
                level=form.cleaned_data["level"],
                evidence=form.cleaned_data["evidence"],
                organisation_ids=form.cleaned_data["organisations"],
                revision=form.cleaned_data["revision"],
            )
            saved = True
        except services.EntryConflict as exc:
            conflict, error = exc.current, " ".join(exc.messages)
            entry = exc.current
        except ValidationError as exc:
            error = _errors(exc)
    if saved and not _htmx(request):
        messages.success(request, _("“%(name)s” saved.") % {"name": entry.criterion.name})
        return redirect(
            reverse("diagnostics:bilan", args=[bilan.pk]) + f"#criterion-{criterion_pk}"
        )
    criterion = (
        Criterion.objects.prefetch_related("levels").select_related("axis").get(pk=criterion_pk)
    )
    levels = {lv.rank: lv for lv in Level.objects.filter(version=bilan.grid_version_id)}
    data = None
    if not saved:
        sent = form.data
        try:
            level = int(sent.get("level")) if sent.get("level") else None
        except ValueError:
            level = None
        ids = []
        for value in organisation_ids:
            try:
                ids.append(int(value))
            except ValueError:
                pass
        data = {
            "level": level,
            "evidence": sent.get("evidence", ""),
            "organisations": list(Organisation.objects.filter(pk__in=ids).order_by("name")),
        }
        entry = Entry.objects.select_related("updated_by").get(pk=entry.pk)
    item = _item(criterion, entry, levels, data=data, error=error, conflict=conflict, saved=saved)
    if conflict is not None:
        item["conflict_organisations"] = list(conflict.organisations.order_by("name"))
    if _htmx(request):
        return render(
            request,
            "diagnostics/_entry.html",
            {"item": item, "bilan": bilan, "editable": True},
        )
    context = _bilan_context(request, bilan)
    for section in context["sections"]:
        section["items"] = [
            item if i["criterion"].pk == criterion_pk else i for i in section["items"]
        ]
    return render(request, "diagnostics/bilan.html", context)


@login_required
@require_POST
def bilan_validate(request: HttpRequest, pk: int) -> HttpResponse:
    bilan = _bilan(request, pk, perm="diagnostics.validate_bilan")
    try:
        services.bilan_validate(bilan=bilan, user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The bilan is validated."))
    return redirect("diagnostics:bilan", pk=bilan.pk)


@require_GET
def bilan_history(request: HttpRequest, pk: int) -> HttpResponse:
    bilan = _bilan(request, pk)
    changes = (
        EntryChange.objects.filter(entry__bilan=bilan)
        .select_related("user", "entry__criterion__axis")
        .order_by("-at", "-pk")
    )
    return render(
        request,
        "diagnostics/bilan_history.html",
        {"bilan": bilan, "plan": bilan.plan, "changes": changes},
    )


@login_required
@require_GET
def organisation_search(request: HttpRequest) -> HttpResponse:
    """Directory organisations matching `q`, as checkboxes for an entry or action form."""
    query = request.GET.get("q", "").strip()
    prefix = "".join(ch for ch in request.GET.get("prefix", "org") if ch.isalnum() or ch in "-_")
    name = request.GET.get("name", "organisations")
    if name not in ("organisations", "partners", "action-partners"):
        name = "organisations"
    results = (
        list(
            Organisation.objects.search(query)
            .filter(Q(is_public=True) | Q(memberships__user=request.user))
            .distinct()
            .order_by("name")[:ORGANISATION_RESULTS]
        )
        if len(query) >= 2
        else []
    )
    return render(
        request,
        "diagnostics/_entry_organisations.html",
        {"results": results, "prefix": prefix, "name": name, "query": query},
    )


# -- the cible ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def cible(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    plan = _plan(request, pk)
    can_edit = request.user.has_perm("diagnostics.change_plan", plan)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    version = latest_version(plan.grid_id)
    if version is None:
        raise Http404
    axes = version_structure(version)
    criteria = [c for axis in axes for c in axis.criteria.all()]
    ranks = list(Level.objects.filter(version=version).values_list("rank", flat=True))
    horizon = request.POST.get("horizon") or request.GET.get("horizon") or Horizon.END
    if horizon not in Horizon.values:
        horizon = Horizon.END
    current = target_levels(plan, horizon)
    initial: dict[str, Any] = {"horizon": horizon, **current}
    form = TargetForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        criteria=criteria,
        ranks=ranks,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.target_set(
                plan=plan,
                horizon=form.cleaned_data["horizon"],
                levels=form.levels(),
                user=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Cible saved."))
            return redirect(reverse("diagnostics:cible", args=[plan.pk]) + f"?horizon={horizon}")
    latest = plan.bilans.order_by("-date", "-pk").first()
    latest_levels = bilan_levels(latest) if latest else {}
    sections = [
        {
            "axis": axis,
            "rows": [
                {
                    "criterion": c,
                    "field": form[c.code],
                    "level": latest_levels.get(c.code),
                    "target": current.get(c.code),
                }
                for c in axis.criteria.all()
            ],
        }
        for axis in axes
    ]
    return render(
        request,
        "diagnostics/cible.html",
        {
            "plan": plan,
            "form": form,
            "sections": sections,
            "horizon": horizon,
            "horizons": Horizon.choices,
            "can_edit": can_edit,
            "levels": list(Level.objects.filter(version=version)),
            "latest": latest,
        },
    )


# -- the trajectoire ----------------------------------------------------------------------


def _action_data(form: ActionForm) -> services.ActionInput:
    data = form.cleaned_data
    return services.ActionInput(
        title=data["title"],
        description=data.get("description") or "",
        owner_id=data.get("owner"),
        partner_ids=tuple(data.get("partners") or ()),
        start=data["start"],
        due=data["due"],
        status=data["status"],
        criterion_ids=tuple(data.get("criteria") or ()),
    )


def _service_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _grid_criteria(plan: Plan) -> list[Criterion]:
    version = latest_version(plan.grid_id)
    if version is None:
        return []
    return list(Criterion.objects.filter(version=version).order_by("axis__position", "position"))


def _codev_items(plan: Plan, team: list[User], viewer) -> list[dict[str, Any]]:
    """The co-development actions of the team's members, the viewer's own joinable."""
    joined = dict(
        Action.objects.filter(
            codev_item__isnull=False, codev_item__round__client__in=team
        ).values_list("codev_item_id", "plan_id")
    )
    rows = []
    for member in team:
        for item in action_items_for(member):
            rows.append(
                {
                    "item": item,
                    "client": member,
                    "joined_plan": joined.get(item.pk),
                    "can_join": member.pk == getattr(viewer, "pk", None) and item.pk not in joined,
                }
            )
    return rows


@require_http_methods(["GET", "POST"])
def trajectoire(request: HttpRequest, pk: int) -> HttpResponse:
    """The actions and milestones; a POST adds an action."""
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    plan = _plan(request, pk)
    can_edit = request.user.has_perm("diagnostics.change_plan", plan)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    team = _team(plan)
    criteria = _grid_criteria(plan)
    today = timezone.localdate()
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        initial={"start": today, "due": today + datetime.timedelta(days=90)},
        owners=team,
        criteria=criteria,
        prefix="action",
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(plan=plan, data=_action_data(form))
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, _("Action “%(title)s” added.") % {"title": action.title})
            return redirect(
                reverse("diagnostics:trajectoire", args=[plan.pk]) + f"#action-{action.pk}"
            )
    actions = list(
        plan.actions.select_related("owner", "codev_item")
        .prefetch_related(
            Prefetch("partners", queryset=Organisation.objects.order_by("name")),
            Prefetch("criteria", queryset=Criterion.objects.order_by("axis__position", "position")),
        )
        .order_by("start", "due", "pk")
    )
    return render(
        request,
        "diagnostics/trajectoire.html",
        {
            "plan": plan,
            "can_edit": can_edit,
            "actions": actions,
            "milestones": list(plan.milestones.order_by("date", "pk")),
            "form": form if can_edit else None,
            "partners": _chosen(form, "partners") if can_edit else [],
            "milestone_form": MilestoneForm(prefix="milestone") if can_edit else None,
            "codev": _codev_items(plan, team, request.user) if can_edit else [],
        },
    )


def _chosen(form: ActionForm, name: str) -> list[Organisation]:
    ids: list[int] = []
    if form.is_bound:
        for value in form.data.getlist(form.add_prefix(name)):
            try:
                ids.append(int(value))
            except ValueError:
                pass
    else:
        ids = list(form.initial.get(name) or [])
    return list(Organisation.objects.filter(pk__in=ids).order_by("name")) if ids else []


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        Action.objects.select_related("plan__pilot_territory__cohort", "plan__grid"), pk=pk
    )
    plan = action.plan
    _check(request, plan, change=True)
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        initial={
            "title": action.title,
            "description": action.description,
            "owner": action.owner_id,
            "partners": list(action.partners.values_list("pk", flat=True)),
            "start": action.start,
            "due": action.due,
            "status": action.status,
            "criteria": list(action.criteria.values_list("pk", flat=True)),
            "revision": action.revision,
        },
        owners=_team(plan),
        criteria=_grid_criteria(plan),
        prefix="action",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                action=action, data=_action_data(form), revision=form.cleaned_data["revision"]
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, _("Action saved."))
            return redirect(
                reverse("diagnostics:trajectoire", args=[plan.pk]) + f"#action-{action.pk}"
            )
    return render(
        request,
        "diagnostics/trajectoire_action.html",
        {"plan": plan, "action": action, "form": form, "partners": _chosen(form, "partners")},
    )


@login_required
@require_POST
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("plan__pilot_territory"), pk=pk)
    _check(request, action.plan, change=True)
    services.action_delete(action=action)
    messages.success(request, _("Action “%(title)s” deleted.") % {"title": action.title})
    return redirect("diagnostics:trajectoire", pk=action.plan_id)


@login_required
@require_POST
def milestone_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, change=True)
    form = MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        services.milestone_create(
            plan=plan,
            title=form.cleaned_data["title"],
            date=form.cleaned_data["date"],
            done=form.cleaned_data["done"],
        )
        messages.success(request, _("Milestone added."))
    else:
        messages.error(
            request, " ".join(f"{form[f].label} — {' '.join(e)}" for f, e in form.errors.items())
        )
    return redirect(reverse("diagnostics:trajectoire", args=[plan.pk]) + "#milestones")


@login_required
@require_POST
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("plan__pilot_territory"), pk=pk)
    _check(request, milestone.plan, change=True)
    if request.POST.get("delete"):
        services.milestone_delete(milestone=milestone)
        messages.success(request, _("Milestone deleted."))
    else:
        form = MilestoneForm(request.POST, prefix=f"milestone-{milestone.pk}")
        if form.is_valid():
            services.milestone_update(
                milestone=milestone,
                title=form.cleaned_data["title"],
                date=form.cleaned_data["date"],
                done=form.cleaned_data["done"],
            )
            messages.success(request, _("Milestone saved."))
        else:
            messages.error(
                request,
                " ".join(f"{form[f].label} — {' '.join(e)}" for f, e in form.errors.items()),
            )
    return redirect(reverse("diagnostics:trajectoire", args=[milestone.plan_id]) + "#milestones")


@login_required
@require_POST
def codev_join(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    plan = _plan(request, pk, change=True)
    item = get_object_or_404(ActionItem.objects.select_related("round__session"), pk=item_pk)
    return _join(request, plan, item)


@login_required
@require_POST
def codev_join_mine(request: HttpRequest, item_pk: int) -> HttpResponse:
    """From "my action plans": the item joins the trajectoire of the client's team in the
    round's cohort (made on first use)."""
    item = get_object_or_404(
        action_items_for(request.user).select_related("round__session"), pk=item_pk
    )
    joined = Action.objects.filter(codev_item=item).first()
    if joined is not None:
        messages.info(
            request, _("“%(title)s” is already in the trajectoire.") % {"title": joined.title}
        )
        url = reverse("diagnostics:trajectoire", args=[joined.plan_id])
        return redirect(f"{url}#action-{joined.pk}")
    member = (
        CohortMember.objects.filter(
            cohort_id=item.round.session.cohort_id,
            user=request.user,
            role=CohortRole.PARTICIPANT,
            pilot_territory__isnull=False,
        )
        .select_related("pilot_territory")
        .first()
    )
    if member is None:
        messages.error(request, _("You have no pilot territory in this cohort."))
        return redirect("codev:my_plans")
    try:
        plan = services.plan_for_territory(pilot_territory=member.pilot_territory)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("codev:my_plans")
    return _join(request, plan, item)


def _join(request: HttpRequest, plan: Plan, item: ActionItem) -> HttpResponse:
    try:
        action = services.action_join_codev(plan=plan, item=item, user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("diagnostics:trajectoire", pk=plan.pk)
    messages.success(request, _("“%(title)s” joined the trajectoire.") % {"title": action.title})
    return redirect(reverse("diagnostics:trajectoire", args=[plan.pk]) + f"#action-{action.pk}")


urlpatterns = [
    path("", my_plans, name="my_plans"),
    path("personnel/", personal_create, name="personal_create"),
    path("organisations/", organisation_search, name="organisation_search"),
    path("promotion/<slug:slug>/equipe/", team_plan, name="team_plan"),
    path("codev/<int:item_pk>/rejoindre/", codev_join_mine, name="codev_join_mine"),
    path("<int:pk>/", plan_detail, name="plan"),
    path("<int:pk>/partage/", plan_share, name="plan_share"),
    path("<int:pk>/bilans/nouveau/", bilan_new, name="bilan_new"),
    path("<int:pk>/cible/", cible, name="cible"),
    path("<int:pk>/trajectoire/", trajectoire, name="trajectoire"),
    path("<int:pk>/jalons/", milestone_new, name="milestone_new"),
    path("<int:pk>/trajectoire/codev/<int:item_pk>/", codev_join, name="codev_join"),
    path("bilan/<int:pk>/", bilan_detail, name="bilan"),
    path("bilan/<int:pk>/critere/<int:criterion_pk>/", entry_save, name="entry_save"),
    path("bilan/<int:pk>/valider/", bilan_validate, name="bilan_validate"),
    path("bilan/<int:pk>/historique/", bilan_history, name="bilan_history"),
    path("action/<int:pk>/", action_edit, name="action_edit"),
    path("action/<int:pk>/supprimer/", action_delete, name="action_delete"),
    path("jalon/<int:pk>/", milestone_edit, name="milestone_edit"),
]
