"""Who may do what with a co-development round (django-rules, and one cheap function).

Only the members of the session's cohort see a round (and platform admins): a private
or public cohort alike, since a round holds what a client confided to the group.
The cohort's animateurs, the round's facilitator and admins run it; participants and
intervenants post notes and name their learnings; observers read; the action plan is the
client's, which the facilitator may type on the client's behalf.

`round_access` decides everything from the user's cohort role, so a view that has
already read the role (the poller reads it in the same query as the round) pays nothing.
"""

from dataclasses import dataclass

import rules

from alliances.accounts.rules import is_platform_admin
from alliances.journeys.models import CohortMember, CohortRole
from alliances.journeys.rules import is_cohort_animateur

from .models import Round

_UNSET = object()
CONTRIBUTING_ROLES = frozenset({CohortRole.PARTICIPANT, CohortRole.INTERVENANT})


@dataclass(frozen=True)
class RoundAccess:
    see: bool = False
    post: bool = False
    run: bool = False
    plan: bool = False
    learn: bool = False


NOTHING = RoundAccess()


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def cohort_role(user, cohort_id: int) -> str | None:
    if not _active(user):
        return None
    return (
        CohortMember.objects.filter(cohort_id=cohort_id, user=user)
        .values_list("role", flat=True)
        .first()
    )


def round_access(user, round: Round, role=_UNSET) -> RoundAccess:
    """What `user` may do with `round`; `role` is the user's cohort role if already read."""
    if not _active(user):
        return NOTHING
    if role is _UNSET:
        role = cohort_role(user, round.session.cohort_id)
    admin = bool(user.is_platform_admin)
    if not (admin or role is not None):
        return NOTHING
    run = admin or role == CohortRole.ANIMATEUR or round.facilitator_id == user.pk
    post = run or role in CONTRIBUTING_ROLES
    plan = admin or user.pk in (round.client_id, round.facilitator_id)
    return RoundAccess(see=True, post=post, run=run, plan=plan, learn=post)


@rules.predicate
def may_see_round(user, round: Round | None) -> bool:
    return round is not None and round_access(user, round).see


@rules.predicate
def may_run_round(user, round: Round | None) -> bool:
    return round is not None and round_access(user, round).run


@rules.predicate
def may_post_on_round(user, round: Round | None) -> bool:
    return round is not None and round_access(user, round).post


@rules.predicate
def may_edit_action_plan(user, round: Round | None) -> bool:
    return round is not None and round_access(user, round).plan


rules.add_perm("codev.view_round", may_see_round)
rules.add_perm("codev.run_round", may_run_round)
rules.add_perm("codev.post_note", may_post_on_round)
rules.add_perm("codev.save_learning", may_post_on_round)
rules.add_perm("codev.edit_action_plan", may_edit_action_plan)
# On a Session: who may start a round in it.
rules.add_perm("codev.add_round", is_platform_admin | is_cohort_animateur)
