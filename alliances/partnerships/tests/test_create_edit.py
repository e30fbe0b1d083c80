"""Creating and editing an alliance through the form: partners typed by number, SIRET, RNA
or name; every rule refused with a located French message and nothing saved."""

import pytest
from django.utils.html import escape
from django.utils.translation import gettext as _

from alliances.partnerships.models import Alliance, Partner

from .alliance_fixtures import *  # noqa: F403
from .alliance_fixtures import form_data

pytestmark = pytest.mark.django_db
URL = "/alliances/nouvelle/"


@pytest.fixture
def signed_in(client, participant, organisation, company, vincennes):
    client.force_login(participant)
    return client


def test_a_member_creates_an_alliance_with_a_company(signed_in, organisation, company):
    data = form_data([(f"{organisation.pk} — {organisation.name}", "porteur"),
                      (company.siret, "financeur")])
    response = signed_in.post(URL, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    alliance = Alliance.objects.get()
    assert response["Location"] == alliance.get_absolute_url()
    assert alliance.commune_id == "94080" and alliance.departement_id == "94"
    assert {(p.organisation_id, p.role) for p in alliance.partners.all()} == {
        (organisation.pk, "porteur"), (company.pk, "financeur")}
    assert [f.code for f in alliance.fragilities.all()] == ["precarite"]
    assert alliance.created_by.email == "participant@example.org"


@pytest.mark.parametrize("typed", ["{pk}", "{siret}", "Boulangerie MARTIN", "{pk} — Boulangerie"])
def test_a_partner_is_found_by_number_siret_or_name(signed_in, organisation, company, typed):
    typed = typed.format(pk=company.pk, siret=company.siret)
    data = form_data([(str(organisation.pk), "porteur"), (typed, "partenaire")])
    assert signed_in.post(URL, data).status_code == 302
    assert Partner.objects.filter(organisation=company).exists()


def test_a_partner_by_rna(signed_in, organisation, company):
    data = form_data([(organisation.rna, "porteur"), (str(company.pk), "partenaire")])
    assert signed_in.post(URL, data).status_code == 302


def test_the_territory_by_name_or_departement(signed_in, organisation, company):
    data = form_data([(str(organisation.pk), "porteur"), (str(company.pk), "partenaire")],
                     territory="Vincennes")
    assert signed_in.post(URL, data).status_code == 302
    data["territory"] = "94"
    data["title"] = "Autre"
    assert signed_in.post(URL, data).status_code == 302
    assert Alliance.objects.filter(commune=None, departement_id="94").count() == 1


def _refused(client, data, field_id: str, message: str) -> str:
    response = client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(message) in html, html[html.find("error-summary"):][:2000]
    assert f'href="#{field_id}"' in html
    assert not Alliance.objects.exists()
    assert not Partner.objects.exists()
    return html


def test_one_organisation_is_not_an_alliance(signed_in, organisation):
    data = form_data([(str(organisation.pk), "porteur"), ("", "partenaire")])
    _refused(signed_in, data, "partners",
             _("An alliance brings together at least two distinct organisations."))


def test_the_same_organisation_twice_is_not_an_alliance(signed_in, organisation):
    data = form_data([(str(organisation.pk), "porteur"), (organisation.rna, "partenaire")])
    _refused(signed_in, data, "partners",
             _("An alliance brings together at least two distinct organisations."))


def test_an_end_before_the_start(signed_in, organisation, company):
    data = form_data([(str(organisation.pk), "porteur"), (str(company.pk), "partenaire")],
                     start_date="2025-03-01", end_date="2025-02-01")
    _refused(signed_in, data, "id_end_date", _("The end (%(end)s) is before the start (%(start)s).")
             % {"end": "01/02/2025", "start": "01/03/2025"})


@pytest.mark.parametrize("field", ["money_eur", "skill_days", "goods_value_eur"])
def test_a_negative_amount(signed_in, organisation, company, field):
    data = form_data([(str(organisation.pk), "porteur"), (str(company.pk), "partenaire")],
                     **{field: "-10"})
    _refused(signed_in, data, f"id_{field}", _("An amount cannot be negative."))


def test_a_partner_must_be_one_of_mine(signed_in, company, other_organisation):
    data = form_data([(str(other_organisation.pk), "porteur"), (str(company.pk), "partenaire")])
    _refused(signed_in, data, "partners",
             _("One of the partners must be an organisation you are a member of."))


def test_an_unknown_partner(signed_in, organisation):
    data = form_data([(str(organisation.pk), "porteur"), ("Licorne SARL", "partenaire")])
    _refused(signed_in, data, "id_partners-1-organisation", _(
        "No organisation found for “%(value)s”: type its name and pick a suggestion, "
        "or give its number, SIRET or RNA number.") % {"value": "Licorne SARL"})


def test_a_hidden_organisation_of_others_cannot_be_named(client, analyste, other_organisation,
                                                         hidden_organisation):
    client.force_login(analyste)
    data = form_data([(str(other_organisation.pk), "porteur"),
                      (str(hidden_organisation.pk), "partenaire")])
    _refused(client, data, "id_partners-1-organisation", _(
        "No organisation found for “%(value)s”: type its name and pick a suggestion, "
        "or give its number, SIRET or RNA number.") % {"value": str(hidden_organisation.pk)})


def test_an_unknown_role(signed_in, organisation, company):
    data = form_data([(str(organisation.pk), "porteur"), (str(company.pk), "mécène")])
    _refused(signed_in, data, "id_partners-1-role", "Sélectionnez un choix valide")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "", "Ce champ est obligatoire."),
    ("title", "x" * 201, "au plus 200 caractères"),
    ("type", "licorne", "Sélectionnez un choix valide"),
    ("form", "", "Ce champ est obligatoire."),
    ("status", "finie", "Sélectionnez un choix valide"),
    ("start_date", "31/02/2025", "Saisissez une date valide."),
    ("start_date", "", "Ce champ est obligatoire."),
    ("end_date", "demain", "Saisissez une date valide."),
    ("money_eur", "beaucoup", "Saisissez un nombre."),
    ("skill_days", "douze", "Saisissez un nombre."),
    ("skill_days", "1e99", "chiffres au total"),
    ("goods_value_eur", "12345678901234", "chiffres au total"),
    ("territory", "99999", "99999"),
    ("territory", "", "Ce champ est obligatoire."),
    ("fragilities", ["inexistante"], "Sélectionnez un choix valide"),
    ("resources", ["999999"], "Sélectionnez un choix valide"),
    ("actions", ["999999"], "Sélectionnez un choix valide"),
])
def test_bad_values_are_located(signed_in, organisation, company, field, value, message):
    data = form_data([(str(organisation.pk), "porteur"), (str(company.pk), "partenaire")],
                     **{field: value})
    field_id = f"id_{field}_0" if field == "fragilities" else f"id_{field}"
    _refused(signed_in, data, field_id, _(message) if field == "territory" else message)


def test_an_ambiguous_commune_name(signed_in, organisation, company, val_de_marne):
    from alliances.actors.tests.fixtures import make_commune

    make_commune("94999", "Vincennes", val_de_marne, 10)
    data = form_data([(str(organisation.pk), "porteur"), (str(company.pk), "partenaire")],
                     territory="vincennes")
    _refused(signed_in, data, "id_territory", "94080, 94999")
    assert Alliance.objects.count() == 0


def test_edit_replaces_partners_and_fields(client, participant, public_alliance, organisation,
                                           other_organisation):
    client.force_login(participant)
    url = f"/alliances/{public_alliance.pk}/modifier/"
    assert client.get(url).status_code == 200
    data = form_data([(str(organisation.pk), "porteur"), (str(other_organisation.pk),
                                                          "partenaire")],
                     title="Nouveau titre", is_public=None, territory="94")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    public_alliance.refresh_from_db()
    assert public_alliance.title == "Nouveau titre"
    assert not public_alliance.is_public
    assert public_alliance.commune_id is None and public_alliance.departement_id == "94"
    assert {p.organisation_id for p in public_alliance.partners.all()} == {
        organisation.pk, other_organisation.pk}


def test_a_refused_edit_changes_nothing(client, participant, public_alliance, organisation):
    client.force_login(participant)
    data = form_data([(str(organisation.pk), "porteur")], title="Changé",
                     end_date="2000-01-01")
    assert client.post(f"/alliances/{public_alliance.pk}/modifier/", data).status_code == 200
    public_alliance.refresh_from_db()
    assert public_alliance.title == "Mécénat de compétences numérique"
    assert public_alliance.partners.count() == 2


def test_delete_asks_then_deletes(client, participant, public_alliance):
    client.force_login(participant)
    url = f"/alliances/{public_alliance.pk}/supprimer/"
    assert escape(_("Delete the alliance")) in client.get(url).content.decode()
    assert Alliance.objects.exists()
    assert client.post(url).status_code == 302
    assert not Alliance.objects.exists()


def test_suggestions_list_visible_organisations_only(signed_in, company, hidden_organisation,
                                                     other_organisation):
    headers = {"HX-Request": "true", "HX-Trigger-Name": "partners-1-organisation"}
    html = signed_in.get(URL, {"partners-1-organisation": "boulang"}, headers=headers)
    assert f'value="{company.pk} — Boulangerie Martin (Créteil)"' in html.content.decode()
    # The participant manages the hidden organisation: it is theirs to name.
    html = signed_in.get(URL, {"partners-1-organisation": "discret"}, headers=headers)
    assert "Collectif discret" in html.content.decode()


def test_suggestions_hide_others_hidden_organisations(client, analyste, hidden_organisation,
                                                      other_organisation):
    client.force_login(analyste)
    headers = {"HX-Request": "true", "HX-Trigger-Name": "partners-0-organisation"}
    html = client.get(URL, {"partners-0-organisation": "discret"}, headers=headers)
    assert "Collectif discret" not in html.content.decode()


def test_territory_suggestions(signed_in, vincennes):
    headers = {"HX-Request": "true", "HX-Trigger-Name": "territory"}
    html = signed_in.get(URL, {"territory": "vinc"}, headers=headers).content.decode()
    assert 'value="94080 — Vincennes"' in html
