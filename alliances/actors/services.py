"""Writes on actors: every one named, typed and atomic."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from alliances.accounts.models import User
from alliances.core import audit
from alliances.core.models import AuditAction
from alliances.core.pagecache import pages_changed
from alliances.lib.identifiers import normalise
from alliances.territories.models import Commune

from .models import Fragility, Membership, Organisation, Sector

IDENTIFIER_FIELDS = ("siren", "siret", "rna")


@transaction.atomic
def organisation_create(
    *,
    name: str,
    type: str,
    commune: Commune | None = None,
    siren: str = "",
    siret: str = "",
    rna: str = "",
    address: str = "",
    website: str = "",
    description: str = "",
    fragilities: Iterable[Fragility | str] = (),
    sectors: Iterable[Sector | str] = (),
    is_public: bool = True,
    created_by: User | None = None,
) -> Organisation:
    """Create an organisation; its creator, when given, becomes its manager."""
    organisation = Organisation(
        name=name,
        type=type,
        commune=commune,
        siren=normalise(siren),
        siret=normalise(siret),
        rna=normalise(rna),
        address=address,
        website=website,
        description=description,
        is_public=is_public,
    )
    organisation.full_clean()
    organisation.save()
    pages_changed()
    organisation.fragilities.set(fragilities)  # type: ignore[arg-type]  # str pks
    organisation.sectors.set(sectors)  # type: ignore[arg-type]  # str pks
    if created_by is not None:
        membership_add(organisation=organisation, user=created_by, role=Membership.Role.MANAGER)
    return organisation


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    data: dict[str, Any],
    fragilities: Iterable[Fragility | str] | None = None,
    sectors: Iterable[Sector | str] | None = None,
) -> Organisation:
    """Change the given fields (and the fragilities/sectors when given, not None)."""
    for field, value in data.items():
        if field in IDENTIFIER_FIELDS:
            value = normalise(value)
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save()
    pages_changed()
    if fragilities is not None:
        organisation.fragilities.set(fragilities)  # type: ignore[arg-type]  # str pks
    if sectors is not None:
        organisation.sectors.set(sectors)  # type: ignore[arg-type]  # str pks
    return organisation


@transaction.atomic
def membership_add(*, organisation: Organisation, user: User, role: str) -> Membership:
    """Make a user a member (or manager) of an organisation; re-adding changes the role."""
    old_role = (Membership.objects.filter(organisation=organisation, user=user)
                .values_list("role", flat=True).first())
    membership, _ = Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    if old_role != role:
        audit.record(AuditAction.ORGANISATION_ROLE, target=membership,
                     target_label=f"{audit.actor_label(user)} — {organisation.name}",
                     changes={"organisation": organisation.pk, "role": [old_role, role]})
    return membership
