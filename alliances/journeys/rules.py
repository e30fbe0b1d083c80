"""Who may do what in a parcours (django-rules, checked with user.has_perm).

The object is a Cohort, or anything of a cohort (a Session, an Assignment) for the
session and attendance rules; platform admins may do everything.
"""

import rules
from rules.predicates import Predicate

from alliances.accounts.rules import is_animateur, is_platform_admin

from .models import REGISTERING_ROLES, Cohort, CohortMember, CohortRole, Submission


def _cohort_id(obj) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Cohort):
        return obj.pk
    return getattr(obj, "cohort_id", None)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _role(user, obj) -> str | None:
    cohort_id = _cohort_id(obj)
    if cohort_id is None or not _active(user):
        return None
    return (
        CohortMember.objects.filter(cohort_id=cohort_id, user=user)
        .values_list("role", flat=True)
        .first()
    )


def has_cohort_role(*roles: str) -> Predicate:
    """True when the user is a member of the object's cohort with one of `roles`."""
    wanted = frozenset(roles)

    @rules.predicate(name=f"has_cohort_role_{'_'.join(sorted(wanted))}")
    def _has(user, obj) -> bool:
        return _role(user, obj) in wanted

    return _has


@rules.predicate
def is_cohort_member(user, obj) -> bool:
    return _role(user, obj) is not None


@rules.predicate
def is_public_cohort(user, cohort: Cohort | None) -> bool:
    return cohort is not None and cohort.is_public


@rules.predicate
def is_submission_author(user, submission: Submission | None) -> bool:
    return submission is not None and _active(user) and submission.user_id == user.pk


@rules.predicate
def is_animateur_of_submission_cohort(user, submission: Submission | None) -> bool:
    if submission is None:
        return False
    return _role(user, submission.assignment) == CohortRole.ANIMATEUR


is_cohort_animateur = has_cohort_role(CohortRole.ANIMATEUR)
may_register = has_cohort_role(*REGISTERING_ROLES)

# Platform animateurs and admins start cohorts; they then animate the cohorts they made.
rules.add_perm("journeys.create_cohort", is_platform_admin | is_animateur)
rules.add_perm("journeys.view_cohort", is_public_cohort | is_platform_admin | is_cohort_member)
rules.add_perm("journeys.change_cohort", is_platform_admin | is_cohort_animateur)
rules.add_perm("journeys.manage_cohort", is_platform_admin | is_cohort_animateur)
rules.add_perm("journeys.take_attendance", is_platform_admin | is_cohort_animateur)
rules.add_perm("journeys.register_session", may_register)
rules.add_perm(
    "journeys.view_submission",
    is_submission_author | is_platform_admin | is_animateur_of_submission_cohort,
)
