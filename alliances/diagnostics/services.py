"""Writes on bilans, cibles and trajectoires: every one named, typed and atomic.

A plan of a pilot territory shows on its cohort's cached pages (the cohort comparison),
so each write on such a plan bumps the cohort's pages version in its own transaction.

Two people of a team may edit one bilan at the same time: each entry carries a
`revision`, and a save made from an older revision than the stored one is refused with
the other person's name and value (optimistic locking), never silently lost.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.accounts.models import User
from alliances.actors.models import Organisation
from alliances.codev.models import ActionItem
from alliances.journeys.models import CohortMember, CohortRole, PilotTerritory
from alliances.journeys.pagecache import cohort_pages_changed

from .models import (
    Action,
    ActionStatus,
    Bilan,
    BilanMoment,
    BilanStatus,
    Criterion,
    Entry,
    EntryChange,
    Grid,
    GridVersionStatus,
    Horizon,
    Level,
    Milestone,
    Plan,
    PlanVisibility,
    Target,
)
from .selectors import latest_version


class EntryConflict(ValidationError):
    """The entry moved on since the form was loaded: `current` is the stored entry."""

    def __init__(self, message, current: Entry):
        super().__init__(message)
        self.current = current


def _pages_changed(plan: Plan) -> None:
    if plan.pilot_territory_id is not None:
        cohort_id = (
            plan.pilot_territory.cohort_id
            if plan.pilot_territory is not None
            else PilotTerritory.objects.values_list("cohort_id", flat=True).get(
                pk=plan.pilot_territory_id
            )
        )
        cohort_pages_changed(cohort_id)


def default_grid() -> Grid:
    """The grid flagged default; failing one, the first grid with a published version."""
    grid = Grid.objects.filter(is_default=True).first()
    if grid is None:
        grid = (
            Grid.objects.filter(versions__status=GridVersionStatus.PUBLISHED).order_by("pk").first()
        )
    if grid is None:
        raise ValidationError({"grid": [_("No maturity grid is published yet.")]})
    return grid


def team_user_ids(plan: Plan) -> set[int]:
    """The people who make the plan: its owner, or its pilot territory's participants."""
    if plan.pilot_territory_id is None:
        return {plan.owner_id} if plan.owner_id else set()
    ids = set(
        CohortMember.objects.filter(
            pilot_territory_id=plan.pilot_territory_id, role=CohortRole.PARTICIPANT
        ).values_list("user_id", flat=True)
    )
    if plan.owner_id:
        ids.add(plan.owner_id)
    return ids


# -- plans --------------------------------------------------------------------------------


@transaction.atomic
def plan_for_territory(*, pilot_territory: PilotTerritory) -> Plan:
    """The pilot territory's plan, made on the default grid on first use."""
    plan = Plan.objects.filter(pilot_territory=pilot_territory).first()
    if plan is not None:
        return plan
    plan, created = Plan.objects.get_or_create(
        pilot_territory=pilot_territory,
        defaults={"name": pilot_territory.name, "grid": default_grid()},
    )
    if created:
        cohort_pages_changed(pilot_territory.cohort_id)
    return plan


@transaction.atomic
def plan_create_personal(*, user: User) -> Plan:
    """A plan of one person working alone (no pilot territory)."""
    plan = Plan(owner=user, name=str(user), grid=default_grid())
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_visibility_set(*, plan: Plan, visibility: str) -> Plan:
    if visibility not in PlanVisibility.values:
        raise ValidationError({"visibility": [_("Choose who the plan is shared with.")]})
    Plan.objects.filter(pk=plan.pk).update(visibility=visibility)
    plan.visibility = visibility
    _pages_changed(plan)
    return plan


# -- bilans -------------------------------------------------------------------------------


@transaction.atomic
def bilan_create(*, plan: Plan, moment: str, date: datetime.date, user: User | None) -> Bilan:
    """A draft bilan on the grid's latest published version, one empty entry per criterion."""
    errors: dict[str, list[str]] = {}
    if moment not in BilanMoment.values:
        errors["moment"] = [_("Choose the moment of the bilan.")]
    if not isinstance(date, datetime.date):
        errors["date"] = [_("Enter the date of the bilan.")]
    version = latest_version(plan.grid_id)
    if version is None:
        errors["grid"] = [_("This grid has no published version yet.")]
    if errors or version is None:
        raise ValidationError(errors)
    bilan = Bilan.objects.create(
        plan=plan, grid_version=version, moment=moment, date=date, created_by=user
    )
    Entry.objects.bulk_create(
        Entry(bilan=bilan, criterion_id=pk)
        for pk in Criterion.objects.filter(version=version)
        .order_by("axis__position", "position")
        .values_list("pk", flat=True)
    )
    _pages_changed(plan)
    return bilan


def _listed(ids: set[int], user: User | None) -> set[int]:
    """Those of `ids` that are in the directory for `user`: listed publicly, or an
    organisation they are a member of."""
    if not ids:
        return set()
    shown = Q(is_public=True)
    if user is not None:
        shown |= Q(memberships__user=user)
    return set(
        Organisation.objects.filter(shown, pk__in=ids).values_list("pk", flat=True).distinct()
    )


def _level_ranks(version_id: int) -> list[int]:
    return list(Level.objects.filter(version_id=version_id).values_list("rank", flat=True))


def _level_error(level: int, ranks: list[int]) -> str:
    return _("Level %(level)s is not on this grid: choose between %(low)s and %(high)s.") % {
        "level": level,
        "low": min(ranks) if ranks else 1,
        "high": max(ranks) if ranks else 1,
    }


@transaction.atomic
def entry_save(
    *,
    entry: Entry,
    user: User,
    level: int | None,
    evidence: str,
    organisation_ids: Iterable[int],
    revision: int,
) -> Entry:
    """Save one criterion of a bilan, made from the form loaded at `revision`.

    Refused when someone saved it since (their name and value in the error), when the
    bilan is validated, when the level is not one of the version's, when the criterion is
    not of the bilan's version, or when an organisation is not in the directory.
    """
    bilan = Bilan.objects.select_for_update().get(pk=entry.bilan_id)
    current = (
        Entry.objects.select_for_update(of=("self",))
        .select_related("criterion", "updated_by")
        .get(pk=entry.pk)
    )
    if bilan.status == BilanStatus.VALIDATED:
        raise ValidationError(
            {"level": [_("This bilan is validated: its entries can no longer change.")]}
        )
    if current.criterion.version_id != bilan.grid_version_id:
        raise ValidationError(
            {"criterion": [_("This criterion is not on the grid version of the bilan.")]}
        )
    if current.revision != revision:
        who = str(current.updated_by) if current.updated_by else _("someone")
        value = str(current.level) if current.level is not None else _("no level")
        raise EntryConflict(
            _(
                "%(who)s changed this criterion while you were editing it: their level is "
                "%(value)s. Nothing of yours was saved; check their answer, then save again."
            )
            % {"who": who, "value": value},
            current=current,
        )
    errors: dict[str, list[str]] = {}
    if level is not None:
        ranks = _level_ranks(bilan.grid_version_id)
        if level not in ranks:
            errors["level"] = [_level_error(level, ranks)]
    wanted = {int(pk) for pk in organisation_ids}
    before = set(current.organisations.values_list("pk", flat=True))
    if wanted - before - _listed(wanted - before, user):
        errors["organisations"] = [_("Choose organisations from the directory.")]
    if errors:
        raise ValidationError(errors)
    evidence = evidence.strip()
    if current.level == level and current.evidence == evidence and before == wanted:
        return current
    old_level, old_evidence = current.level, current.evidence
    now = timezone.now()
    current.level, current.evidence = level, evidence
    current.revision += 1
    current.updated_by, current.updated_at = user, now
    current.save(update_fields=["level", "evidence", "revision", "updated_by", "updated_at"])
    if before != wanted:
        current.organisations.set(wanted)
    EntryChange.objects.create(
        entry=current,
        user=user,
        at=now,
        revision=current.revision,
        old_level=old_level,
        new_level=level,
        old_evidence=old_evidence,
        new_evidence=evidence,
    )
    _pages_changed(bilan.plan)
    return current


@transaction.atomic
def bilan_validate(*, bilan: Bilan, user: User) -> Bilan:
    """Freeze a bilan whose every criterion has a level."""
    locked = Bilan.objects.select_for_update().get(pk=bilan.pk)
    if locked.status == BilanStatus.VALIDATED:
        return locked
    missing = list(
        Entry.objects.filter(bilan=locked, level__isnull=True)
        .order_by("criterion__axis__position", "criterion__position")
        .values_list("criterion__name", flat=True)
    )
    if missing:
        raise ValidationError(
            {
                "entries": [
                    _("Give a level to every criterion before validating. Missing: %(names)s.")
                    % {"names": ", ".join(missing)}
                ]
            }
        )
    locked.status = BilanStatus.VALIDATED
    locked.validated_at, locked.validated_by = timezone.now(), user
    locked.save(update_fields=["status", "validated_at", "validated_by"])
    _pages_changed(locked.plan)
    return locked


# -- cible --------------------------------------------------------------------------------


@transaction.atomic
def target_set(
    *, plan: Plan, horizon: str, levels: dict[str, int | None], user: User | None
) -> list[Target]:
    """Set the cible at `horizon`: criterion code → level on the latest version (None
    removes that criterion's target). All or nothing."""
    if horizon not in Horizon.values:
        raise ValidationError({"horizon": [_("Choose the horizon of the cible.")]})
    version = latest_version(plan.grid_id)
    if version is None:
        raise ValidationError({"grid": [_("This grid has no published version yet.")]})
    criteria = {c.code: c for c in Criterion.objects.filter(version=version)}
    ranks = _level_ranks(version.pk)
    errors: dict[str, list[str]] = {}
    for code, level in levels.items():
        if code not in criteria:
            errors[code] = [_("This criterion is not on the grid's latest version.")]
        elif level is not None and level not in ranks:
            errors[code] = [_level_error(level, ranks)]
    if errors:
        raise ValidationError(errors)
    saved: list[Target] = []
    for code, level in levels.items():
        criterion = criteria[code]
        if level is None:
            Target.objects.filter(plan=plan, horizon=horizon, criterion__code=code).delete()
            continue
        # A target set on an older version's criterion of the same code is replaced.
        Target.objects.filter(plan=plan, horizon=horizon, criterion__code=code).exclude(
            criterion=criterion
        ).delete()
        target, _created = Target.objects.update_or_create(
            plan=plan,
            horizon=horizon,
            criterion=criterion,
            defaults={"level": level, "updated_by": user},
        )
        saved.append(target)
    _pages_changed(plan)
    return saved


# -- trajectoire --------------------------------------------------------------------------


@dataclass
class ActionInput:
    title: str
    start: datetime.date | None
    due: datetime.date | None
    description: str = ""
    owner_id: int | None = None
    partner_ids: tuple[int, ...] = ()
    status: str = ActionStatus.TODO
    criterion_ids: tuple[int, ...] = ()


def _check_action(plan: Plan, data: ActionInput, already_partners: Iterable[int] = ()) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Give the action a title.")]
    elif len(data.title.strip()) > 200:
        errors["title"] = [_("Keep the title under 200 characters.")]
    if data.start is None:
        errors["start"] = [_("Enter the start date.")]
    if data.due is None:
        errors["due"] = [_("Enter the due date.")]
    elif data.start is not None and data.due < data.start:
        errors["due"] = [_("The due date cannot be before the start.")]
    if data.status not in ActionStatus.values:
        errors["status"] = [_("Choose a status.")]
    if data.owner_id is not None and data.owner_id not in team_user_ids(plan):
        errors["owner"] = [_("The owner must be a member of the team.")]
    partners = set(data.partner_ids) - set(already_partners)
    if partners - _listed(partners, None):
        errors["partners"] = [_("Choose partners from the directory.")]
    criteria = set(data.criterion_ids)
    if criteria and Criterion.objects.filter(
        pk__in=criteria, version__grid_id=plan.grid_id
    ).count() != len(criteria):
        errors["criteria"] = [_("Choose criteria of the plan's grid.")]
    if errors:
        raise ValidationError(errors)


def _write_action(action: Action, data: ActionInput) -> Action:
    assert data.start is not None and data.due is not None  # checked by _check_action
    action.title = data.title.strip()
    action.description = data.description.strip()
    action.owner_id = data.owner_id
    action.start, action.due, action.status = data.start, data.due, data.status
    action.save()
    action.partners.set(set(data.partner_ids))
    action.criteria.set(set(data.criterion_ids))
    return action


@transaction.atomic
def action_create(*, plan: Plan, data: ActionInput) -> Action:
    _check_action(plan, data)
    action = _write_action(Action(plan=plan), data)
    _pages_changed(plan)
    return action


@transaction.atomic
def action_update(*, action: Action, data: ActionInput, revision: int | None = None) -> Action:
    """Change an action; with `revision`, refused when someone changed it since."""
    locked = Action.objects.select_for_update(of=("self",)).select_related("plan").get(pk=action.pk)
    if revision is not None and locked.revision != revision:
        raise ValidationError(
            {"title": [_("Someone changed this action meanwhile: reload it, then try again.")]}
        )
    _check_action(locked.plan, data, locked.partners.values_list("pk", flat=True))
    locked.revision += 1
    _write_action(locked, data)
    _pages_changed(locked.plan)
    return locked


@transaction.atomic
def action_delete(*, action: Action) -> None:
    plan = action.plan
    Action.objects.filter(pk=action.pk).delete()
    _pages_changed(plan)


@transaction.atomic
def action_join_codev(*, plan: Plan, item: ActionItem, user: User) -> Action:
    """The co-development action `item` of the user's round joins the plan's trajectoire."""
    if item.round.client_id != user.pk:
        raise ValidationError({"item": [_("Only the round's client can bring its actions.")]})
    if user.pk not in team_user_ids(plan):
        raise ValidationError({"item": [_("Only a member of the team can bring actions.")]})
    if Action.objects.filter(codev_item=item).exists():
        raise ValidationError({"item": [_("This action is already in a trajectoire.")]})
    today = timezone.localdate()
    action = Action.objects.create(
        plan=plan,
        title=item.title[:200],
        description=_("From the co-development round “%(problem)s”.")
        % {"problem": item.round.problem or item.round.session.title},
        owner=user,
        start=min(today, item.due),
        due=item.due,
        status=ActionStatus.DONE if item.done else ActionStatus.TODO,
        codev_item=item,
    )
    _pages_changed(plan)
    return action


def _check_milestone(title: str, date: datetime.date | None) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the milestone a title.")]
    elif len(title.strip()) > 200:
        errors["title"] = [_("Keep the title under 200 characters.")]
    if date is None:
        errors["date"] = [_("Enter the date of the milestone.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def milestone_create(
    *, plan: Plan, title: str, date: datetime.date | None, done: bool = False
) -> Milestone:
    _check_milestone(title, date)
    assert date is not None
    milestone = Milestone.objects.create(plan=plan, title=title.strip(), date=date, done=done)
    _pages_changed(plan)
    return milestone


@transaction.atomic
def milestone_update(
    *, milestone: Milestone, title: str, date: datetime.date | None, done: bool
) -> Milestone:
    _check_milestone(title, date)
    assert date is not None
    milestone.title, milestone.date, milestone.done = title.strip(), date, done
    milestone.save()
    _pages_changed(milestone.plan)
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone) -> None:
    plan = milestone.plan
    Milestone.objects.filter(pk=milestone.pk).delete()
    _pages_changed(plan)
