import pytest
from django.urls import reverse

from alliances.actors.models import Membership, Organisation

URL = reverse("actors:create")


def valid_data(**overrides) -> dict:
    data = {
        "name": "Association Solidaire",
        "type": "association",
        "siren": "552 100 554",
        "siret": "",
        "rna": "W941000002",
        "commune_code": "94080",
        "address": "",
        "website": "",
        "description": "",
        "fragilities": ["emploi", "precarite"],
        "sectors": ["Q"],
        "is_public": "on",
    }
    data.update(overrides)
    return data


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(URL, valid_data()).status_code == 302
    assert not Organisation.objects.exists()


def test_it_shows_an_accessible_form(client, outsider):
    client.force_login(outsider)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for name in ("name", "type", "siren", "siret", "rna", "commune_code", "website"):
        assert f'<label for="id_{name}">' in html
    assert "<legend>" in html  # the checkbox groups are fieldsets
    assert " style=" not in html


@pytest.mark.parametrize("persona", ["admin", "animateur", "participant", "outsider"])
def test_any_signed_in_user_creates_and_manages(client, vincennes, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.post(URL, valid_data())
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    assert organisation.siren == "552100554"
    assert organisation.commune_id == "94080" and organisation.region_id == "11"
    assert sorted(f.code for f in organisation.fragilities.all()) == ["emploi", "precarite"]
    assert Membership.objects.get(organisation=organisation).user == user
    assert Membership.objects.get(organisation=organisation).role == "manager"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("siren", "552100555"),  # Luhn fails
        ("siren", "12345"),
        ("siret", "55210055400014"),  # Luhn fails
        ("rna", "941000002"),
        ("commune_code", "99999"),
        ("name", ""),
        ("type", "club"),
        ("fragilities", ["nope"]),
        ("website", "pas une adresse"),
    ],
)
def test_bad_input_is_shown_on_the_field_and_nothing_is_written(
    client, outsider, vincennes, field, value
):
    client.force_login(outsider)
    response = client.post(URL, valid_data(**{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert f'href="#id_{field}' in html  # the error summary links to the field
    assert not Organisation.objects.exists()


def test_a_siret_of_another_siren_is_refused(client, outsider, vincennes):
    client.force_login(outsider)
    response = client.post(URL, valid_data(siret="73282932000074"))
    assert 'id="id_siret_error"' in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_duplicate_rna_is_refused(client, outsider, organisation):
    client.force_login(outsider)
    response = client.post(URL, valid_data(rna=organisation.rna, name="Copie"))
    assert response.status_code == 200
    assert Organisation.objects.count() == 1


def test_an_organisation_without_commune(client, outsider, db):
    client.force_login(outsider)
    client.post(URL, valid_data(commune_code="", fragilities=[], sectors=[]))
    organisation = Organisation.objects.get()
    assert organisation.commune is None and organisation.region is None


def test_it_rejects_other_methods(client, outsider):
    client.force_login(outsider)
    assert client.put(URL).status_code == 405
