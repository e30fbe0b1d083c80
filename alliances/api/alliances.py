"""The public alliances as open data: the list with its filters, one alliance with its
follow-up (notes and indicator measures). Private alliances are never served."""

import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from alliances.actors.models import Fragility, Organisation
from alliances.partnerships.models import (
    Alliance,
    AllianceForm,
    AllianceStatus,
    AllianceType,
    Partner,
    PartnerRole,
)
from alliances.partnerships.selectors import alliance_filter
from alliances.partnerships.territory import parse_territory

from .pagination import Pagination

router = Router(tags=["alliances"])


class AllianceFilters(Schema):
    territory: str | None = Field(
        None, max_length=30,
        description="a département (35), a commune (35238) or an explicit level: region:53, "
        "departement:35, commune:35238",
    )
    type: str | None = Field(None, max_length=30, description="type of partnership: "
                             + ", ".join(AllianceType.values))
    form: str | None = Field(None, max_length=30, description="form of co-construction: "
                             + ", ".join(AllianceForm.values))
    status: str | None = Field(None, max_length=30, description="status: "
                               + ", ".join(AllianceStatus.values))
    fragility: str | None = Field(None, max_length=30,
                                  description="code of a fragility domain, e.g. emploi")
    organisation: int | None = Field(None, ge=1, le=2_000_000_000,
                                     description="id of a partner organisation")


class PartnerOut(Schema):
    id: int = Field(description="id of the organisation")
    name: str
    type: str = Field(description="actor type of the organisation")
    role: PartnerRole

    @staticmethod
    def resolve_id(obj: Partner) -> int:
        return obj.organisation_id

    @staticmethod
    def resolve_name(obj: Partner) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_type(obj: Partner) -> str:
        return obj.organisation.type


class ResourcesOut(Schema):
    money_eur: Decimal | None = Field(description="money mobilised (€)")
    skill_days: Decimal | None = Field(description="days of skills (mécénat de compétences)")
    goods: str = Field(description="goods and premises lent or given")
    goods_value_eur: Decimal | None = Field(description="value of the goods (€)")


class AllianceOut(Schema):
    id: int
    title: str
    type: AllianceType
    form: AllianceForm
    status: AllianceStatus
    start_date: datetime.date
    end_date: datetime.date | None
    commune: str | None = Field(description="INSEE code of the commune, if any")
    departement: str | None
    region: str | None
    fragilities: list[str] = Field(description="codes of the fragility domains addressed")
    partners: list[PartnerOut]
    resources_mobilised: ResourcesOut
    url: str = Field(description="the public page of the alliance")

    @staticmethod
    def resolve_commune(obj: Alliance) -> str | None:
        return obj.commune_id

    @staticmethod
    def resolve_departement(obj: Alliance) -> str | None:
        return obj.departement_id

    @staticmethod
    def resolve_region(obj: Alliance) -> str | None:
        return obj.region_id

    @staticmethod
    def resolve_fragilities(obj: Alliance) -> list[str]:
        return [fragility.code for fragility in obj.fragilities.all()]

    @staticmethod
    def resolve_partners(obj: Alliance) -> list[Partner]:
        return list(obj.partners.all())

    @staticmethod
    def resolve_resources_mobilised(obj: Alliance) -> dict:
        return {
            "money_eur": obj.money_eur, "skill_days": obj.skill_days, "goods": obj.goods,
            "goods_value_eur": obj.goods_value_eur,
        }

    @staticmethod
    def resolve_url(obj: Alliance, context: dict) -> str:
        request: HttpRequest = context["request"]
        return request.build_absolute_uri(obj.get_absolute_url())


class NoteOut(Schema):
    date: datetime.date
    text: str


class IndicatorOut(Schema):
    indicator: str = Field(description="kind of indicator, e.g. personnes_touchees")
    label: str = Field(description="the name of an indicator of kind “autre”")
    date: datetime.date
    value: Decimal

    @staticmethod
    def resolve_indicator(obj) -> str:
        return obj.kind


class AllianceDetailOut(AllianceOut):
    description: str = Field(description="Markdown")
    notes: list[NoteOut] = Field(description="the dated follow-up notes, oldest first")
    indicators: list[IndicatorOut] = Field(description="the indicator measures, by date")

    @staticmethod
    def resolve_notes(obj: Alliance) -> list:
        return sorted(obj.notes.all(), key=lambda note: (note.date, note.pk))

    @staticmethod
    def resolve_indicators(obj: Alliance) -> list:
        return sorted(obj.indicators.all(), key=lambda m: (m.date, m.kind, m.pk))


def _with_rows(queryset: QuerySet[Alliance]) -> QuerySet[Alliance]:
    return queryset.prefetch_related(
        Prefetch(
            "partners",
            queryset=Partner.objects.select_related("organisation").only(
                "id", "alliance_id", "role", "organisation__id", "organisation__name",
                "organisation__type",
            ),
        ),
        Prefetch("fragilities", queryset=Fragility.objects.only("code")),
    )


def _choice(value: str | None, choices: type, name: str) -> str:
    if value and value not in choices.values:
        raise HttpError(400, f"Unknown {name}: {value}")
    return value or ""


@router.get("", response=list[AllianceOut])
@paginate(Pagination)
def alliances(request: HttpRequest, filters: Query[AllianceFilters]) -> QuerySet[Alliance]:
    """The public alliances, newest first; filters combine."""
    territory = None
    if filters.territory:
        territory = parse_territory(filters.territory)
        if territory is None:
            raise HttpError(400, f"Unknown territory: {filters.territory}")
    fragility = None
    if filters.fragility:
        fragility = Fragility.objects.filter(pk=filters.fragility).first()
        if fragility is None:
            raise HttpError(400, f"Unknown fragility: {filters.fragility}")
    organisation = None
    if filters.organisation:
        organisation = Organisation.objects.filter(pk=filters.organisation).first()
        if organisation is None:
            raise HttpError(400, f"Unknown organisation: {filters.organisation}")
    queryset = alliance_filter(
        Alliance.objects.public(),
        territoire=territory,
        type=_choice(filters.type, AllianceType, "type"),
        forme=_choice(filters.form, AllianceForm, "form"),
        statut=_choice(filters.status, AllianceStatus, "status"),
        fragilite=fragility,
        organisation=organisation,
    )
    return _with_rows(queryset)


@router.get("/{int:alliance_id}", response=AllianceDetailOut)
def alliance(request: HttpRequest, alliance_id: int) -> Alliance:
    """A public alliance with its follow-up; a private or unknown one is a 404."""
    return get_object_or_404(
        _with_rows(Alliance.objects.public()).prefetch_related("notes", "indicators"),
        pk=alliance_id,
    )
