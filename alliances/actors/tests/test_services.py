import pytest
from django.core.exceptions import ValidationError

from alliances.actors.models import Membership, Organisation, OrganisationType
from alliances.actors.services import membership_add, organisation_create, organisation_update


def test_create_normalises_identifiers_and_denormalises_the_territory(participant, vincennes):
    organisation = organisation_create(
        name="Entreprise Exemple",
        type=OrganisationType.ENTREPRISE,
        commune=vincennes,
        siren="732 829 320",
        siret="732 829 320 00074",
        fragilities=["emploi"],
        sectors=["C"],
        created_by=participant,
    )
    organisation.refresh_from_db()
    assert organisation.siren == "732829320"
    assert organisation.siret == "73282932000074"
    assert organisation.search_name == "entreprise exemple"
    assert organisation.departement_id == "94"
    assert organisation.region_id == "11"
    assert [f.code for f in organisation.fragilities.all()] == ["emploi"]
    assert [s.code for s in organisation.sectors.all()] == ["C"]
    membership = Membership.objects.get(organisation=organisation)
    assert membership.user == participant
    assert membership.role == Membership.Role.MANAGER


def test_create_without_creator_has_no_member(db):
    organisation = organisation_create(name="Sans membre", type=OrganisationType.FONDATION)
    assert organisation.memberships.count() == 0
    assert organisation.commune is None and organisation.region is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("siren", "552100555"), ("siret", "73282932000075"), ("rna", "941000001")],
)
def test_create_rejects_bad_identifiers_and_writes_nothing(participant, field, value):
    with pytest.raises(ValidationError) as error:
        organisation_create(
            name="Invalide", type=OrganisationType.ASSOCIATION, created_by=participant,
            **{field: value},
        )
    assert field in error.value.message_dict
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()


def test_create_rejects_a_siret_of_another_siren(db):
    with pytest.raises(ValidationError) as error:
        organisation_create(
            name="Incohérente", type=OrganisationType.ENTREPRISE,
            siren="552100554", siret="73282932000074",
        )
    assert "siret" in error.value.message_dict


def test_create_rejects_a_duplicate_siret(db):
    organisation_create(name="Un", type=OrganisationType.ENTREPRISE, siret="73282932000074")
    with pytest.raises(ValidationError):
        organisation_create(name="Deux", type=OrganisationType.ENTREPRISE, siret="73282932000074")
    assert Organisation.objects.count() == 1


def test_update_changes_fields_and_relations(organisation, lyon):
    organisation_update(
        organisation=organisation,
        data={"name": "Nouvelle Maison", "commune": lyon, "siren": "552 100 554"},
        fragilities=["emploi"],
    )
    organisation.refresh_from_db()
    assert organisation.name == "Nouvelle Maison"
    assert organisation.siren == "552100554"
    assert (organisation.departement_id, organisation.region_id) == ("69", "84")
    assert [f.code for f in organisation.fragilities.all()] == ["emploi"]
    # Sectors were not given: unchanged.
    assert [s.code for s in organisation.sectors.all()] == ["S"]


def test_update_rejects_bad_values_and_keeps_the_row(organisation):
    with pytest.raises(ValidationError):
        organisation_update(organisation=organisation, data={"rna": "X1"})
    organisation.refresh_from_db()
    assert organisation.rna == "W941000001"


def test_membership_add_is_idempotent_and_changes_the_role(organisation, outsider):
    membership_add(organisation=organisation, user=outsider, role=Membership.Role.MEMBER)
    membership_add(organisation=organisation, user=outsider, role=Membership.Role.MANAGER)
    membership = Membership.objects.get(organisation=organisation, user=outsider)
    assert membership.role == Membership.Role.MANAGER
