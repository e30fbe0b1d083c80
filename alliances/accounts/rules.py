"""Predicates on the platform role, for the object-level rules of every app.

Compose them with rules' operators, e.g. `is_animateur | is_platform_admin`. They are false
for anonymous visitors and for inactive (deleted) accounts.
"""

import rules
from rules.predicates import Predicate

from .models import User


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def is_platform_admin(user) -> bool:
    return _active(user) and user.is_platform_admin


def has_role(role: str) -> Predicate:
    """A predicate true when the user's platform role is `role` (a User.Role value)."""
    if role not in User.Role.values:
        raise ValueError(f"unknown platform role: {role!r}")

    @rules.predicate(name=f"has_role_{role}")
    def _has_role(user) -> bool:
        return _active(user) and user.role == role

    return _has_role


is_animateur = has_role(User.Role.ANIMATEUR)
is_analyste = has_role(User.Role.ANALYSTE)
is_participant = has_role(User.Role.PARTICIPANT)
