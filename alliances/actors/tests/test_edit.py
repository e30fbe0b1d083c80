import pytest
from django.urls import reverse

from alliances.actors.models import Organisation


def url(organisation) -> str:
    return reverse("actors:edit", args=[organisation.pk])


def data_of(organisation, **overrides) -> dict:
    data = {
        "name": organisation.name,
        "type": organisation.type,
        "siren": organisation.siren,
        "siret": organisation.siret,
        "rna": organisation.rna,
        "commune_code": organisation.commune_id or "",
        "address": organisation.address,
        "website": organisation.website,
        "description": organisation.description,
        "fragilities": [f.code for f in organisation.fragilities.all()],
        "sectors": [s.code for s in organisation.sectors.all()],
        "is_public": "on" if organisation.is_public else "",
    }
    data.update(overrides)
    return data


def test_anonymous_visitors_are_sent_to_login(client, organisation):
    response = client.get(url(organisation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client.post(url(organisation), data_of(organisation, name="Piraté"))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name != "Piraté"


@pytest.mark.parametrize("persona", ["outsider", "analyste"])
def test_non_members_are_forbidden(client, organisation, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(organisation)).status_code == 403
    assert client.post(url(organisation), data_of(organisation, name="Piraté")).status_code == 403
    organisation.refresh_from_db()
    assert organisation.name != "Piraté"


def test_the_form_is_prefilled(client, organisation, participant):
    client.force_login(participant)
    response = client.get(url(organisation))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="94080"' in html
    assert 'value="732829320"' in html
    assert 'value="lien-social" id="id_fragilities_2" checked' in html


@pytest.mark.parametrize("persona", ["participant", "member", "admin"])
def test_manager_member_and_admin_may_edit(client, organisation, lyon, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        url(organisation),
        data_of(
            organisation, name="Maison renommée", commune_code="69123", fragilities=["culture"]
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    organisation.refresh_from_db()
    assert organisation.name == "Maison renommée"
    assert organisation.search_name == "maison renommee"
    assert (organisation.commune_id, organisation.departement_id) == ("69123", "69")
    assert [f.code for f in organisation.fragilities.all()] == ["culture"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("siren", "732829321"), ("siret", "7328293200007"), ("rna", "W12"), ("commune_code", "2A999")],
)
def test_bad_input_changes_nothing(client, organisation, participant, field, value):
    client.force_login(participant)
    before = Organisation.objects.values().get(pk=organisation.pk)
    response = client.post(url(organisation), data_of(organisation, **{field: value}))
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Organisation.objects.values().get(pk=organisation.pk) == before


def test_a_hidden_organisation_can_be_edited_by_its_members_only(
    client, hidden_organisation, participant, outsider
):
    client.force_login(outsider)
    assert client.get(url(hidden_organisation)).status_code == 403
    client.force_login(participant)
    assert client.get(url(hidden_organisation)).status_code == 200


def test_unknown_organisation(client, participant):
    client.force_login(participant)
    assert client.get("/acteurs/999999/modifier/").status_code == 404


def test_query_count(client, organisation, participant, django_assert_max_num_queries):
    client.force_login(participant)
    with django_assert_max_num_queries(15):
        assert client.get(url(organisation)).status_code == 200
