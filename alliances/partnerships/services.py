"""Writes on alliances: every one named, typed and atomic.

An alliance needs at least two distinct organisations, an end on or after its start and
no negative amount; anything else is refused with a ValidationError keyed by field, before
anything is written.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from alliances.accounts.models import User
from alliances.actors.models import Fragility, Organisation
from alliances.core import audit
from alliances.core.models import AuditAction
from alliances.core.pagecache import pages_changed

from .models import (
    Alliance,
    FollowUpNote,
    IndicatorKind,
    IndicatorValue,
    Partner,
    PartnerRole,
)


@dataclass(frozen=True)
class PartnerSpec:
    organisation: Organisation
    role: str = PartnerRole.PARTENAIRE


ALLIANCE_FIELDS = (
    "title", "type", "form", "commune", "departement", "start_date", "end_date", "status",
    "money_eur", "skill_days", "goods", "goods_value_eur", "description", "is_public",
)


def _check_partners(partners: Sequence[PartnerSpec]) -> None:
    ids = [p.organisation.pk for p in partners]
    if len(set(ids)) < 2:
        raise ValidationError(
            {"partners": _("An alliance brings together at least two distinct organisations.")}
        )
    if len(set(ids)) != len(ids):
        raise ValidationError(
            {"partners": _("An organisation can be listed only once among the partners.")}
        )
    roles = {choice.value for choice in PartnerRole}
    for partner in partners:
        if partner.role not in roles:
            raise ValidationError({"partners": _("Unknown partner role: %(role)s") % {
                "role": partner.role}})


def _check_alliance(alliance: Alliance) -> None:
    errors: dict[str, list[str]] = {}
    if alliance.end_date and alliance.start_date and alliance.end_date < alliance.start_date:
        errors.setdefault("end_date", []).append(
            _("The end (%(end)s) is before the start (%(start)s).")
            % {"end": alliance.end_date.strftime("%d/%m/%Y"),
               "start": alliance.start_date.strftime("%d/%m/%Y")}
        )
    for field in ("money_eur", "skill_days", "goods_value_eur"):
        value = getattr(alliance, field)
        if value is not None and value < 0:
            errors.setdefault(field, []).append(_("An amount cannot be negative."))
    if not alliance.commune_id and not alliance.departement_id:
        errors.setdefault("departement", []).append(
            _("Give the alliance's territory: a commune or a département.")
        )
    if errors:
        raise ValidationError(errors)
    alliance.full_clean(exclude=["resources", "actions", "fragilities"])


@transaction.atomic
def alliance_create(
    *,
    title: str,
    type: str,
    form: str,
    start_date: datetime.date,
    partners: Sequence[PartnerSpec],
    created_by: User | None = None,
    fragilities: Iterable[Fragility | str] = (),
    resources: Iterable[Any] = (),
    actions: Iterable[Any] = (),
    **fields: Any,
) -> Alliance:
    """Create an alliance with its partners (≥ 2 distinct organisations)."""
    unknown = set(fields) - set(ALLIANCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown alliance fields: {sorted(unknown)}")
    _check_partners(partners)
    alliance = Alliance(
        title=title, type=type, form=form, start_date=start_date, created_by=created_by,
        **fields,
    )
    _check_alliance(alliance)
    alliance.save()
    Partner.objects.bulk_create(
        Partner(alliance=alliance, organisation=p.organisation, role=p.role) for p in partners
    )
    alliance.fragilities.set(fragilities)  # type: ignore[arg-type]  # str pks
    alliance.resources.set(resources)
    alliance.actions.set(actions)
    if alliance.is_public:
        audit.record(AuditAction.ALLIANCE_PUBLIC, target=alliance, actor=created_by)
    pages_changed()
    return alliance


@transaction.atomic
def alliance_update(
    *,
    alliance: Alliance,
    data: dict[str, Any],
    partners: Sequence[PartnerSpec] | None = None,
    fragilities: Iterable[Fragility | str] | None = None,
    resources: Iterable[Any] | None = None,
    actions: Iterable[Any] | None = None,
) -> Alliance:
    """Change the given fields; partners, fragilities, resources and actions are replaced
    when given (not None)."""
    unknown = set(data) - set(ALLIANCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown alliance fields: {sorted(unknown)}")
    if partners is not None:
        _check_partners(partners)
    was_public = Alliance.objects.filter(pk=alliance.pk, is_public=True).exists()
    for field, value in data.items():
        setattr(alliance, field, value)
    _check_alliance(alliance)
    alliance.save()
    if alliance.is_public and not was_public:
        audit.record(AuditAction.ALLIANCE_PUBLIC, target=alliance)
    if partners is not None:
        wanted = {p.organisation.pk: p.role for p in partners}
        alliance.partners.exclude(organisation_id__in=wanted).delete()
        existing = {p.organisation_id: p for p in alliance.partners.all()}
        for organisation_id, role in wanted.items():
            partner = existing.get(organisation_id)
            if partner is None:
                Partner.objects.create(
                    alliance=alliance, organisation_id=organisation_id, role=role
                )
            elif partner.role != role:
                partner.role = role
                partner.save(update_fields=["role"])
    if fragilities is not None:
        alliance.fragilities.set(fragilities)  # type: ignore[arg-type]  # str pks
    if resources is not None:
        alliance.resources.set(resources)
    if actions is not None:
        alliance.actions.set(actions)
    pages_changed()
    return alliance


@transaction.atomic
def alliance_delete(*, alliance: Alliance) -> None:
    alliance.delete()
    pages_changed()


@transaction.atomic
def followup_note_add(
    *, alliance: Alliance, date: datetime.date, text: str, author: User | None
) -> FollowUpNote:
    if not text.strip():
        raise ValidationError({"text": _("The note is empty.")})
    note = FollowUpNote(alliance=alliance, date=date, text=text.strip(), author=author)
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def indicator_record(
    *,
    alliance: Alliance,
    kind: str,
    date: datetime.date,
    value: Decimal,
    label: str = "",
    author: User | None = None,
) -> IndicatorValue:
    if value is not None and value < 0:
        raise ValidationError({"value": _("An indicator cannot be negative.")})
    if kind == IndicatorKind.OTHER and not label.strip():
        raise ValidationError({"label": _("Name the indicator “other”.")})
    measure = IndicatorValue(
        alliance=alliance, kind=kind, date=date, value=value, label=label.strip(),
        author=author,
    )
    measure.full_clean()
    measure.save()
    return measure
