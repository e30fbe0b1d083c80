"""Shapes of the open data API: list items and query filters."""

from django.http import HttpRequest
from ninja import Field, Schema

from alliances.actors.models import Organisation, OrganisationType
from alliances.territories.models import Commune, Departement

REGION_CODE = r"^\d{2}$"
DEPARTEMENT_CODE = r"^(\d{2}|2[AB]|97\d)$"
COMMUNE_CODE = r"^(\d{5}|2[AB]\d{3})$"


class Message(Schema):
    detail: str


class RegionOut(Schema):
    code: str
    name: str


class DepartementOut(Schema):
    code: str
    name: str
    region: str

    @staticmethod
    def resolve_region(obj: Departement) -> str:
        return obj.region_id


class CommuneOut(Schema):
    code: str
    name: str
    departement: str
    region: str
    population: int | None

    @staticmethod
    def resolve_departement(obj: Commune) -> str:
        return obj.departement_id

    @staticmethod
    def resolve_region(obj: Commune) -> str:
        return obj.departement.region_id


class OrganisationOut(Schema):
    id: int
    name: str
    type: OrganisationType
    commune: str | None = Field(description="INSEE code of the commune")
    departement: str | None
    region: str | None
    siren: str
    rna: str
    fragilities: list[str] = Field(description="codes of the fragility domains")
    url: str = Field(description="the public page of the organisation")

    @staticmethod
    def resolve_commune(obj: Organisation) -> str | None:
        return obj.commune_id

    @staticmethod
    def resolve_departement(obj: Organisation) -> str | None:
        return obj.departement_id

    @staticmethod
    def resolve_region(obj: Organisation) -> str | None:
        return obj.region_id

    @staticmethod
    def resolve_fragilities(obj: Organisation) -> list[str]:
        return [fragility.code for fragility in obj.fragilities.all()]

    @staticmethod
    def resolve_url(obj: Organisation, context: dict) -> str:
        request: HttpRequest = context["request"]
        return request.build_absolute_uri(obj.get_absolute_url())


class DepartementFilters(Schema):
    region: str | None = Field(None, pattern=REGION_CODE, description="INSEE code of a region")


class CommuneFilters(Schema):
    departement: str | None = Field(
        None, pattern=DEPARTEMENT_CODE, description="INSEE code of a département"
    )
    q: str | None = Field(None, max_length=100, description="part of the name, accents optional")


class OrganisationFilters(Schema):
    commune: str | None = Field(None, pattern=COMMUNE_CODE, description="INSEE code of a commune")
    departement: str | None = Field(
        None, pattern=DEPARTEMENT_CODE, description="INSEE code of a département"
    )
    region: str | None = Field(None, pattern=REGION_CODE, description="INSEE code of a region")
    type: OrganisationType | None = None
    fragility: str | None = Field(
        None, max_length=30, description="code of a fragility domain, e.g. lien-social"
    )
    q: str | None = Field(None, max_length=100, description="part of the name, accents optional")
