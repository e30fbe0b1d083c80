"""Who may see and change a plan (django-rules, checked with user.has_perm on a Plan).

A plan is seen and edited by its team (the pilot territory's participants, or its owner)
and its cohort's animateurs, and by platform admins. It is seen, read-only, by the whole
cohort when shared with the promotion, and by anyone when public. Only the team changes
who it is shared with (platform admins, superusers, may do everything).
"""

import rules

from alliances.accounts.rules import is_platform_admin
from alliances.journeys.models import CohortMember, CohortRole

from .models import Plan, PlanVisibility


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _cohort_id(plan: Plan) -> int | None:
    if plan.pilot_territory_id is None:
        return None
    return plan.pilot_territory.cohort_id


def _role(user, plan: Plan) -> tuple[str, int | None] | None:
    """The user's (role, pilot territory id) in the plan's cohort, cached on the plan."""
    cache = plan.__dict__.setdefault("_viewer_roles", {})
    if user.pk not in cache:
        cohort_id = _cohort_id(plan)
        cache[user.pk] = (
            CohortMember.objects.filter(cohort_id=cohort_id, user=user)
            .values_list("role", "pilot_territory_id")
            .first()
            if cohort_id is not None
            else None
        )
    return cache[user.pk]


@rules.predicate
def is_plan_team(user, plan: Plan | None) -> bool:
    if plan is None or not _active(user):
        return False
    if plan.owner_id == user.pk:
        return True
    if plan.pilot_territory_id is None:
        return False
    role = _role(user, plan)
    return role is not None and role == (CohortRole.PARTICIPANT, plan.pilot_territory_id)


@rules.predicate
def is_plan_animateur(user, plan: Plan | None) -> bool:
    if plan is None or not _active(user) or plan.pilot_territory_id is None:
        return False
    role = _role(user, plan)
    return role is not None and role[0] == CohortRole.ANIMATEUR


@rules.predicate
def is_shared_with_cohort_member(user, plan: Plan | None) -> bool:
    if plan is None or not _active(user) or plan.visibility != PlanVisibility.COHORT:
        return False
    return plan.pilot_territory_id is not None and _role(user, plan) is not None


@rules.predicate
def is_public_plan(user, plan: Plan | None) -> bool:
    return plan is not None and plan.visibility == PlanVisibility.PUBLIC


may_edit = is_platform_admin | is_plan_team | is_plan_animateur

rules.add_perm("diagnostics.view_plan", may_edit | is_shared_with_cohort_member | is_public_plan)
rules.add_perm("diagnostics.change_plan", may_edit)
rules.add_perm("diagnostics.validate_bilan", may_edit)
rules.add_perm("diagnostics.share_plan", is_plan_team | is_platform_admin)
