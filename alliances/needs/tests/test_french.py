"""The needs' pages read in French: the domain words (besoin, fragilité, mécénat, mise en
relation) and the reasons of the suggestions."""

import html

import pytest
from django.urls import reverse

from alliances.needs.services import contact_request_answer, contact_request_send

pytestmark = pytest.mark.django_db


def french(client, url) -> str:
    response = client.get(url, headers={"Accept-Language": "fr"})
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def test_the_pages_speak_french(client, land, need, participant, animateur):
    client.force_login(participant)
    body = french(client, reverse("needs:index"))
    for words in ("Besoins", "Filtrer les besoins", "Type d'aide", "1 besoin ouvert",
                  "Publier un besoin", "Financement"):
        assert words in body, words
    body = french(client, need.get_absolute_url())
    for words in ("Organisations qui pourraient aider", "Fondation", "agit sur « Emploi »",
                  "déjà partenaire de Solidarité emploi Vincennes sur « Forum de l'emploi "
                  "2025 »", "dans votre commune (Vincennes)", "Proposer une mise en relation",
                  "14 points", "Modifier ce besoin"):
        assert words in body, words
    body = french(client, reverse("needs:contact_create",
                                  args=[need.pk, land.fondation_creteil.pk]))
    for words in ("Proposer une mise en relation", "Aucune adresse e-mail",
                  "Envoyer la demande", "Vous pouvez encore envoyer 20 demandes aujourd'hui"):
        assert words in body, words
    body = french(client, reverse("needs:create"))
    assert "Publier le besoin" in body and "Bénévoles" in body or "bénévoles" in body

    contact = contact_request_send(need=need, sender=land.home,
                                   recipient=land.fondation_creteil, user=participant,
                                   message="Bonjour")
    client.force_login(animateur)
    body = french(client, reverse("needs:contacts"))
    assert "Demandes reçues" in body and "En attente" in body
    body = french(client, reverse("needs:contact_detail", args=[contact.pk]))
    for words in ("Demande de mise en relation", "Accepter : partager nos coordonnées",
                  "Refuser", "Envoyer la réponse"):
        assert words in body, words
    contact_request_answer(request=contact, user=animateur, accept=False)
    client.force_login(participant)
    body = french(client, reverse("needs:contact_detail", args=[contact.pk]))
    assert "ne peut pas être renvoyée" in body and "Refusée" in body


def test_a_closed_need_says_clos(client, need):
    from alliances.needs.services import need_update

    need_update(need=need, data={"status": "clos"})
    assert "Clos" in french(client, need.get_absolute_url())
