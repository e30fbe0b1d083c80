"""Who may do what with organisations (django-rules, checked with user.has_perm)."""

import rules

from .models import Membership, Organisation


@rules.predicate
def is_platform_admin(user) -> bool:
    return bool(getattr(user, "is_platform_admin", False))


@rules.predicate
def is_organisation_member(user, organisation: Organisation | None) -> bool:
    if organisation is None or not user.is_authenticated:
        return False
    return organisation.memberships.filter(user=user).exists()


@rules.predicate
def is_organisation_manager(user, organisation: Organisation | None) -> bool:
    if organisation is None or not user.is_authenticated:
        return False
    return organisation.memberships.filter(user=user, role=Membership.Role.MANAGER).exists()


@rules.predicate
def is_public_organisation(user, organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.is_public


# Adding an organisation makes its author the manager: any signed-in user may.
rules.add_perm("actors.add_organisation", rules.is_authenticated)
rules.add_perm(
    "actors.change_organisation",
    rules.is_authenticated & (is_platform_admin | is_organisation_member),
)
rules.add_perm(
    "actors.view_organisation",
    is_public_organisation | is_platform_admin | is_organisation_member,
)
