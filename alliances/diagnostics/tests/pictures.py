"""A plan with something to draw: two bilans, a cible, actions and milestones, written
straight to the models (the pictures' tests do not depend on the plan part's services)."""

from datetime import date, timedelta

from django.utils import timezone

from alliances.actors.models import Organisation
from alliances.actors.services import organisation_create
from alliances.diagnostics.models import (
    Action,
    ActionStatus,
    Bilan,
    BilanMoment,
    BilanStatus,
    Entry,
    GridVersion,
    Horizon,
    Milestone,
    Plan,
    Target,
)

T0_DAY, M9_DAY = date(2026, 1, 15), date(2026, 10, 15)
STATUSES = [ActionStatus.DONE, ActionStatus.DOING, ActionStatus.TODO, ActionStatus.DROPPED]


def make_bilan(
    plan: Plan,
    version: GridVersion,
    *,
    day: date,
    moment: str,
    levels: dict[str, int | None],
    validated: bool = True,
) -> Bilan:
    bilan = Bilan.objects.create(
        plan=plan,
        grid_version=version,
        moment=moment,
        date=day,
        status=BilanStatus.VALIDATED if validated else BilanStatus.DRAFT,
        validated_at=timezone.now() if validated else None,
    )
    criteria = {c.code: c for c in version.criteria.all()}
    Entry.objects.bulk_create(
        Entry(bilan=bilan, criterion=criteria[code], level=level) for code, level in levels.items()
    )
    return bilan


def fill_plan(
    plan: Plan,
    version: GridVersion,
    *,
    actions: int = 4,
    owner=None,
    partner_name: str = "",
    cible: bool = True,
) -> Plan:
    """T0 (validated) and M9 (draft) bilans, a cible at 36 months one or two levels up,
    `actions` actions of every status moving the first criteria, two milestones."""
    criteria = list(version.criteria.order_by("axis__position", "position"))
    top = version.levels.count()
    t0 = {c.code: 1 + (n % 2) for n, c in enumerate(criteria)}
    make_bilan(plan, version, day=T0_DAY, moment=BilanMoment.T0, levels=t0)
    make_bilan(
        plan,
        version,
        day=M9_DAY,
        moment=BilanMoment.END,
        levels={code: min(level + 1, top) for code, level in t0.items()},
        validated=False,
    )
    if cible:
        Target.objects.bulk_create(
            Target(plan=plan, criterion=c, horizon=Horizon.M36, level=min(t0[c.code] + 2, top))
            for c in criteria
        )
    partner: Organisation | None = (
        organisation_create(name=partner_name, type="association") if partner_name else None
    )
    for n in range(actions):
        start = T0_DAY + timedelta(days=20 * n)
        action = Action.objects.create(
            plan=plan,
            title=f"Action {n + 1}",
            description=f"Ce que fait l'action {n + 1}.",
            owner=owner,
            start=start,
            due=start + timedelta(days=60),
            status=STATUSES[n % len(STATUSES)],
        )
        action.criteria.add(criteria[n % len(criteria)])
        if partner is not None:
            action.partners.add(partner)
    Milestone.objects.create(
        plan=plan, title="Comité de pilotage", date=date(2026, 6, 1), done=True
    )
    Milestone.objects.create(plan=plan, title="Forum territorial", date=date(2027, 3, 1))
    return plan
