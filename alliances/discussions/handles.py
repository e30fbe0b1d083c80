"""@handles of a cohort's members, for mentions: computed, never stored.

A handle is the accent-folded slug of the display name (`Anaïs Lefèvre` → `anais-lefevre`;
the e-mail's local part when there is no name), hyphenated as `alliances.lib.richtext`
reads mentions. Two members with the same slug: the one who joined the cohort later gets
a numeric suffix (`paul-martin-2`), so nobody's handle changes when someone joins.
"""

from collections.abc import Iterable

from django.utils.text import slugify

from alliances.journeys.models import CohortMember


def base_handle(user) -> str:
    name = user.display_name or user.email.split("@")[0]
    return slugify(name)[:60].strip("-") or f"membre-{user.pk}"


def handles_of(members: Iterable[CohortMember]) -> dict[str, CohortMember]:
    """Handle → member, for the members of one cohort (with `user` loaded)."""
    result: dict[str, CohortMember] = {}
    for member in sorted(members, key=lambda m: m.pk):
        base = handle = base_handle(member.user)
        n = 1
        while handle in result:
            n += 1
            handle = f"{base}-{n}"
        result[handle] = member
    # Closed accounts keep their place in the numbering, but nobody can mention them.
    return {
        handle: member
        for handle, member in result.items()
        if member.user.is_active and member.user.deleted_at is None
    }


def cohort_handles(cohort_id: int) -> dict[str, CohortMember]:
    """One query."""
    return handles_of(CohortMember.objects.filter(cohort_id=cohort_id).select_related("user"))
