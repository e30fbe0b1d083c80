"""Who may do what in the discussions (django-rules, and one cheap function).

Discussions are private to the cohort whatever its visibility. A thread of the whole
cohort is read by every member and written by all but the observers (partner
institutions read only); a thread of a pilot territory is its team's, and the cohort's
animateurs' and platform admins': the other members get 404, as outsiders do. The
cohort's animateurs and platform admins moderate (hide posts, lock and pin threads).

`Viewer` holds the one row read for a person in a cohort (role and territory); every
decision is then made in Python, so a page pays one query for all its permissions.
"""

from dataclasses import dataclass

import rules

from alliances.journeys.models import CohortMember, CohortRole

from .models import Thread

POSTING_ROLES = frozenset({CohortRole.PARTICIPANT, CohortRole.INTERVENANT, CohortRole.ANIMATEUR})


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@dataclass(frozen=True)
class Viewer:
    """A person as seen from one cohort: their role there and their territory's id."""

    user_id: int | None
    admin: bool = False
    role: str | None = None
    territory_id: int | None = None

    @property
    def member(self) -> bool:
        return self.admin or self.role is not None

    @property
    def moderator(self) -> bool:
        return self.admin or self.role == CohortRole.ANIMATEUR

    def sees_territory(self, territory_id: int | None) -> bool:
        if territory_id is None:
            return self.member
        return self.moderator or (self.role is not None and self.territory_id == territory_id)

    def writes_in(self, territory_id: int | None) -> bool:
        """May start a thread in (and reply to the threads of) this place of the cohort."""
        if not self.sees_territory(territory_id):
            return False
        return self.admin or self.role in POSTING_ROLES

    def sees(self, thread: Thread) -> bool:
        return self.sees_territory(thread.pilot_territory_id)

    def may_post(self, thread: Thread) -> bool:
        return not thread.locked and self.writes_in(thread.pilot_territory_id)

    def may_moderate(self, thread: Thread) -> bool:
        return self.moderator and self.sees(thread)


def viewer_of(user, cohort_id: int) -> Viewer:
    """One query (none for anonymous visitors)."""
    if not _active(user):
        return Viewer(user_id=None)
    row = (
        CohortMember.objects.filter(cohort_id=cohort_id, user=user)
        .values_list("role", "pilot_territory_id")
        .first()
    )
    role, territory_id = row if row else (None, None)
    return Viewer(
        user_id=user.pk,
        admin=bool(user.is_platform_admin),
        role=role,
        territory_id=territory_id,
    )


@rules.predicate
def may_see_thread(user, thread: Thread | None) -> bool:
    return thread is not None and viewer_of(user, thread.cohort_id).sees(thread)


@rules.predicate
def may_post_in_thread(user, thread: Thread | None) -> bool:
    return thread is not None and viewer_of(user, thread.cohort_id).may_post(thread)


@rules.predicate
def may_moderate_thread(user, thread: Thread | None) -> bool:
    return thread is not None and viewer_of(user, thread.cohort_id).may_moderate(thread)


rules.add_perm("discussions.view_thread", may_see_thread)
rules.add_perm("discussions.post_in_thread", may_post_in_thread)
rules.add_perm("discussions.moderate_thread", may_moderate_thread)
