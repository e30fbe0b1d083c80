"""Alliances for the registry's tests: an association of Vincennes (the participant persona
manages it) allied with a company of Créteil, publicly and privately; an unrelated
organisation whose member is the analyste persona."""

import datetime

import pytest

from alliances.actors.models import Membership, OrganisationType
from alliances.actors.services import membership_add, organisation_create
from alliances.partnerships.models import Alliance, AllianceForm, AllianceStatus, AllianceType
from alliances.partnerships.services import PartnerSpec, alliance_create

START = datetime.date(2024, 1, 15)


@pytest.fixture
def company(creteil):
    return organisation_create(
        name="Boulangerie Martin", type=OrganisationType.ENTREPRISE, commune=creteil,
        siret="73282932000074", fragilities=["emploi"],
    )


@pytest.fixture
def other_organisation(analyste, montreuil):
    """An organisation with no alliance; the analyste persona is its member."""
    org = organisation_create(
        name="Régie de quartier de Montreuil", type=OrganisationType.ASSOCIATION,
        commune=montreuil,
    )
    membership_add(organisation=org, user=analyste, role=Membership.Role.MEMBER)
    return org


def make_alliance(organisation, company, *, title="Mécénat de compétences numérique",
                  is_public=True, **fields) -> Alliance:
    values = {
        "type": AllianceType.MECENAT, "form": AllianceForm.PARTENARIAT,
        "start_date": START, "status": AllianceStatus.ACTIVE,
        "commune": organisation.commune, "money_eur": 5000, "skill_days": 12,
        "description": "Des **salariés** accompagnent les bénévoles.",
    }
    values.update(fields)
    return alliance_create(
        title=title, is_public=is_public,
        partners=[PartnerSpec(organisation, "porteur"), PartnerSpec(company, "financeur")],
        fragilities=["emploi"], **values,
    )


@pytest.fixture
def public_alliance(organisation, company):
    return make_alliance(organisation, company)


@pytest.fixture
def private_alliance(organisation, company):
    return make_alliance(organisation, company, title="Alliance confidentielle",
                         is_public=False)


def form_data(partners: list[tuple[str, str]], **fields) -> dict[str, str]:
    """The create/edit form's POST: the alliance's fields and the partner rows."""
    data = {
        "title": "Épicerie solidaire et boulangerie",
        "type": "mecenat",
        "form": "partenariat",
        "territory": "94080",
        "start_date": "2025-03-01",
        "end_date": "",
        "status": "active",
        "money_eur": "1500",
        "skill_days": "",
        "goods": "Invendus",
        "goods_value_eur": "",
        "description": "Dons **quotidiens**.",
        "is_public": "on",
        "fragilities": ["precarite"],
        "partners-TOTAL_FORMS": str(len(partners)),
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "2",
        "partners-MAX_NUM_FORMS": "12",
    }
    for index, (organisation, role) in enumerate(partners):
        data[f"partners-{index}-organisation"] = organisation
        data[f"partners-{index}-role"] = role
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def prefixed(prefix: str, data: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}-{key}": value for key, value in data.items()}
