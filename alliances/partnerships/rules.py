"""Who may do what with alliances (django-rules, checked with user.has_perm).

The members of a partner organisation edit the alliance and its follow-up; everyone else
sees public alliances only; platform admins see and edit everything.
"""

import rules

from alliances.actors.rules import is_platform_admin

from .models import Alliance


@rules.predicate
def is_partner_member(user, alliance: Alliance | None) -> bool:
    if alliance is None or not user.is_authenticated:
        return False
    return alliance.partners.filter(organisation__memberships__user=user).exists()


@rules.predicate
def is_public_alliance(user, alliance: Alliance | None) -> bool:
    return alliance is not None and alliance.is_public


@rules.predicate
def is_member_of_an_organisation(user) -> bool:
    return user.is_authenticated and user.memberships.exists()


# Creating an alliance needs to belong to one of its partners (checked again by the form:
# one of the partners must be the user's organisation, except for admins).
rules.add_perm(
    "partnerships.add_alliance",
    rules.is_authenticated & (is_platform_admin | is_member_of_an_organisation),
)
rules.add_perm(
    "partnerships.change_alliance",
    rules.is_authenticated & (is_platform_admin | is_partner_member),
)
rules.add_perm(
    "partnerships.delete_alliance",
    rules.is_authenticated & (is_platform_admin | is_partner_member),
)
rules.add_perm(
    "partnerships.view_alliance",
    is_public_alliance | is_platform_admin | is_partner_member,
)
