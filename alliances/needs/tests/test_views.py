"""The needs' pages through HTTP: list and filters, posting and editing (bad input: located
errors, nothing saved), a need's page with its suggestions or the offer of help, the
contact request's path, and the query counts of the list, need and contacts pages."""

import pytest
from django.urls import reverse

from alliances.actors.models import OrganisationType
from alliances.actors.services import organisation_create
from alliances.needs.models import ContactRequest, ContactStatus, HelpKind, Need, NeedStatus
from alliances.needs.services import contact_request_answer, contact_request_send, need_create

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def many_needs(land, participant, creteil, montreuil):
    """25 open needs in Créteil and Montreuil, two closed ones: an N+1 would show."""
    kinds = list(HelpKind)
    made = []
    for i in range(25):
        organisation = organisation_create(
            name=f"Association {i:02d}", type=OrganisationType.ASSOCIATION,
            commune=creteil if i % 2 else montreuil,
        )
        made.append(need_create(organisation=organisation, title=f"Besoin {i:02d}",
                                kind=kinds[i % 5], fragility="emploi" if i % 3 else "sante"))
    for i in range(2):
        need_create(organisation=land.home, title=f"Besoin clos {i}", kind=HelpKind.LIEU,
                    status=NeedStatus.CLOSED)
    return made


def test_the_list_shows_open_needs_paginated(client, many_needs, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(reverse("needs:index"))
    body = text(response)
    assert "25 besoins ouverts" in body or "25 open needs" in body
    assert "Besoin clos" not in body
    assert body.count('class="badge"') >= 20
    page2 = text(client.get(reverse("needs:index"), {"page": 2}))
    assert "Besoin 00" in page2 or "Besoin 00" in body


def test_the_list_filters_by_territory_kind_and_fragility(client, many_needs):
    body = text(client.get(reverse("needs:index"), {"territory": "94028"}))
    assert "Besoin 01" in body and "Besoin 00" not in body
    body = text(client.get(reverse("needs:index"), {"territory": "93", "kind": "financement"}))
    assert "Besoin 06" in body and "Besoin 16" in body
    assert "Besoin 01" not in body and "Besoin 00" not in body
    body = text(client.get(reverse("needs:index"), {"fragility": "sante"}))
    assert "Besoin 03" in body and "Besoin 01" not in body


def test_an_unknown_territory_is_a_notice_not_an_error(client, many_needs):
    response = client.get(reverse("needs:index"), {"territory": "99999"})
    assert response.status_code == 200
    assert "99999" in text(response) and 'role="alert"' in text(response)


def test_the_htmx_request_gets_the_results_only(client, many_needs):
    body = text(client.get(reverse("needs:index"), {"kind": "lieu"}, headers={"HX-Request": "1"}))
    assert body.lstrip().startswith('<div id="results"') and "<html" not in body


def test_a_member_posts_a_need_for_their_organisation(client, land, participant):
    client.force_login(participant)
    response = client.post(reverse("needs:create"), {
        "organisation": land.home.pk, "title": "Des bénévoles pour le forum",
        "description": "Samedi **matin**.", "kind": "benevoles", "fragility": "emploi",
        "status": "ouvert",
    })
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == need.get_absolute_url()
    assert (need.organisation, need.created_by, need.kind) == (land.home, participant,
                                                               HelpKind.BENEVOLES)


def test_bad_input_is_located_and_nothing_is_saved(client, land, participant, animateur):
    client.force_login(participant)
    response = client.post(reverse("needs:create"), {
        "organisation": land.fondation_creteil.pk, "title": "", "kind": "argent",
        "status": "ouvert",
    })
    body = text(response)
    assert response.status_code == 200 and 'class="error-summary"' in body
    for field in ("id_organisation", "id_title", "id_kind"):
        assert f'href="#{field}"' in body
    assert not Need.objects.exists()


def test_an_admin_posts_for_any_organisation_by_its_number_or_name(client, land, admin):
    client.force_login(admin)
    page = text(client.get(reverse("needs:create"), {"organisation": land.mairie_creteil.pk}))
    assert f'value="{land.mairie_creteil.pk}"' in page
    client.post(reverse("needs:create"), {
        "organisation": land.mairie_creteil.pk, "title": "Un local", "kind": "lieu",
        "status": "ouvert",
    })
    assert Need.objects.get().organisation == land.mairie_creteil
    # By its exact name too; an unknown one is refused on the field, nothing saved.
    client.post(reverse("needs:create"), {
        "organisation": land.mairie_creteil.name, "title": "Du matériel", "kind": "materiel",
        "status": "ouvert",
    })
    assert Need.objects.filter(title="Du matériel", organisation=land.mairie_creteil).exists()
    response = client.post(reverse("needs:create"), {
        "organisation": "Association inconnue", "title": "Des bénévoles", "kind": "benevoles",
        "status": "ouvert",
    })
    assert 'href="#id_organisation"' in text(response)
    assert "Aucune organisation trouvée" in text(response)
    assert not Need.objects.filter(title="Des bénévoles").exists()


def test_editing_a_need(client, need, participant):
    client.force_login(participant)
    response = client.post(reverse("needs:edit", args=[need.pk]), {
        "title": "Atelier financé", "description": "", "kind": "financement",
        "fragility": "emploi", "status": "pourvu",
    })
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.title, need.status) == ("Atelier financé", NeedStatus.MET)
    response = client.post(reverse("needs:edit", args=[need.pk]), {
        "title": "", "kind": "financement", "status": "perdu"})
    assert response.status_code == 200 and 'href="#id_status"' in text(response)
    need.refresh_from_db()
    assert need.title == "Atelier financé"


def test_the_need_page_shows_suggestions_to_members_only(client, land, need, participant,
                                                         animateur,
                                                         django_assert_max_num_queries):
    client.force_login(participant)
    # Session and user, notifications badge, the need, the viewer's organisations, their
    # requests about it, the six of the suggestions.
    with django_assert_max_num_queries(13):
        body = text(client.get(need.get_absolute_url()))
    assert "Fondation Vincennes Avenir" in body and "(+4)" in body
    assert reverse("needs:contact_create", args=[need.pk, land.fondation_vincennes.pk]) in body
    assert "<strong>8 000 €</strong>" in body
    client.force_login(animateur)
    body = text(client.get(need.get_absolute_url()))
    assert "Fondation Vincennes Avenir" not in body
    assert reverse("needs:contact_create", args=[need.pk, land.fondation_creteil.pk]) in body


def test_markdown_is_sanitised(client, land, participant):
    need = need_create(organisation=land.home, title="Test", kind=HelpKind.LIEU,
                       description="<script>alert(1)</script> [x](javascript:alert(1))")
    body = text(client.get(need.get_absolute_url()))
    assert "<script>alert" not in body and "javascript:alert" not in body


def test_a_connection_then_a_duplicate_then_a_declined_one(client, land, need, participant,
                                                           animateur):
    client.force_login(participant)
    url = reverse("needs:contact_create", args=[need.pk, land.fondation_creteil.pk])
    response = client.post(url, {"message": "Bonjour, pourriez-vous nous aider ?"})
    contact = ContactRequest.objects.get()
    assert response["Location"] == reverse("needs:contact_detail", args=[contact.pk])
    assert (contact.sender, contact.recipient, contact.sent_by) == (
        land.home, land.fondation_creteil, participant)
    response = client.post(url, {"message": "Encore ?"})
    assert response.status_code == 200 and 'class="error-summary"' in text(response)
    contact_request_answer(request=contact, user=animateur, accept=False)
    body = text(client.post(url, {"message": "Encore ?"}))
    assert "declined" in body or "refusée" in body
    assert ContactRequest.objects.count() == 1


def test_an_empty_message_is_located(client, land, need, animateur):
    client.force_login(animateur)
    url = reverse("needs:contact_create", args=[need.pk, land.fondation_creteil.pk])
    body = text(client.post(url, {"message": ""}))
    assert 'href="#id_message"' in body and not ContactRequest.objects.exists()


def test_an_offer_of_help_goes_to_the_need_organisation(client, land, need, animateur):
    client.force_login(animateur)
    client.post(reverse("needs:contact_create", args=[need.pk, land.fondation_creteil.pk]),
                {"message": "Nous pouvons financer une partie."})
    contact = ContactRequest.objects.get()
    assert (contact.sender, contact.recipient) == (land.fondation_creteil, land.home)
    body = text(client.get(need.get_absolute_url()))
    assert reverse("needs:contact_detail", args=[contact.pk]) in body


def test_the_recipient_accepts_with_a_reply(client, land, need, participant, animateur):
    contact = contact_request_send(need=need, sender=land.home,
                                   recipient=land.fondation_creteil, user=participant,
                                   message="Bonjour")
    client.force_login(animateur)
    url = reverse("needs:contact_answer", args=[contact.pk])
    assert client.post(url, {"decision": "maybe"}).status_code == 400
    client.post(url, {"decision": "accept", "reply": "Appelons-nous."})
    contact.refresh_from_db()
    assert (contact.status, contact.reply) == (ContactStatus.ACCEPTED, "Appelons-nous.")


def test_the_contacts_page_in_a_fixed_number_of_queries(client, land, need, participant,
                                                        creteil,
                                                        django_assert_max_num_queries):
    for i in range(15):
        organisation = organisation_create(name=f"Fondation {i}", type=OrganisationType.FONDATION,
                                           commune=creteil)
        contact_request_send(need=need, sender=land.home, recipient=organisation,
                             user=participant, message="Bonjour")
    other = need_create(organisation=land.fondation_vincennes, title="Autre", kind="lieu")
    contact_request_send(need=other, sender=land.home, recipient=land.fondation_vincennes,
                         user=participant, message="Nous avons une salle.")
    client.force_login(participant)
    with django_assert_max_num_queries(8):
        body = text(client.get(reverse("needs:contacts")))
    assert body.count(reverse("needs:contact_detail", args=[1])[:-2]) >= 16


def test_the_contacts_lists_are_paginated_each_on_its_own(client, land, need, participant,
                                                          creteil, monkeypatch):
    from alliances.needs import selectors

    monkeypatch.setattr(selectors, "CONTACTS_PER_PAGE", 5)
    for i in range(7):
        organisation = organisation_create(name=f"Fondation {i}", type=OrganisationType.FONDATION,
                                           commune=creteil)
        contact_request_send(need=need, sender=land.home, recipient=organisation,
                             user=participant, message="Bonjour")
    client.force_login(participant)
    url = reverse("needs:contacts")
    first = text(client.get(url))
    assert first.count("/besoins/contacts/") >= 5 and "Fondation 1" not in first
    assert "?envoyes=2" in first and 'aria-label="Pages des demandes envoyées"' in first
    second = text(client.get(url, {"envoyes": 2, "recus": 1}))
    assert "Fondation 1" in second and "Fondation 0" in second and "Fondation 6" not in second
    assert "?envoyes=1&amp;recus=1" in second or "?recus=1&amp;envoyes=1" in second
    # A page out of range gives the last one; nonsense, the first.
    assert "Fondation 0" in text(client.get(url, {"envoyes": 99}))
    assert "Fondation 6" in text(client.get(url, {"envoyes": "x"}))
