"""The questionnaire speaks French to a visitor who asks for nothing else.

These tests read the French catalogue: they pass once the questionnaire's translations are
merged into alliances/locale (the other questionnaire tests assert on ids and statuses).
"""

import re

import pytest
from django.urls import reverse

from alliances.observatory import collection, services
from alliances.observatory.models import Wave

from .test_questionnaire_services import PAGES, answer_all, collecting_wave

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"observatory:{name}", args=args)


@pytest.fixture
def wave(analyste):
    return collecting_wave(analyste, open_link=True)


@pytest.fixture
def token(wave) -> str:
    return collection.invitations_create(wave=wave, count=1)[0].token


def text(response) -> str:
    return response.content.decode()


def test_the_pages_in_french(client, token):
    welcome = text(client.get(url("answer_invitation", token)))
    assert "Commencer" in welcome and "Environ 2 minutes (6 questions)." in welcome
    assert "Ce lien est personnel" in welcome
    page = text(client.get(url("answer_invitation_page", token, 2)))
    assert "Étape 2 sur 4" in page and "(obligatoire)" in page
    assert "Plusieurs réponses possibles." in page
    assert "Enregistrer et reprendre plus tard" in page and "Continuer" in page
    errors = text(client.post(url("answer_invitation_page", token, 2), {"q20": "-1"}))
    assert "Certaines réponses demandent votre attention" in errors
    assert "Cette question est obligatoire : merci d&#x27;y répondre." in errors
    assert "Saisissez un nombre entre 0 et 500." in errors
    assert errors.count("<title>Erreur :") == 1
    review = text(client.get(url("answer_invitation_review", token)))
    assert "Étape 4 sur 4" in review and "Envoyer mes réponses" in review
    for step, answers in enumerate(PAGES, start=1):
        client.post(url("answer_invitation_page", token, step), answers)
    thanks = text(client.get(client.post(url("answer_invitation_review", token))["Location"]))
    assert "Merci ! Vos réponses ont bien été envoyées." in thanks
    again = text(client.get(url("answer_invitation", token)))
    assert "Vous avez déjà répondu à cette enquête. Merci !" in again


def test_the_refusals_in_french(client, wave, analyste, settings, token):
    settings.OBSERVATORY_OPEN_LINK_RATE = "0/h"
    refused = client.post(url("answer_open", wave.open_key))
    assert refused.status_code == 429
    assert re.search(r"Merci de réessayer dans \d+ minutes? environ\.", text(refused))
    services.wave_set_status(wave=wave, status=Wave.Status.CLOSE, by=analyste)
    closed = client.get(url("answer_invitation", token))
    assert closed.status_code == 410
    assert "Cette enquête n'accepte pas de réponses : la collecte est close." in text(closed)


def test_the_services_errors_in_french(wave):
    response = answer_all(collection.response_start_open(wave=wave))
    with pytest.raises(collection.AnswerError) as raised:
        collection.response_save(response=response, answers={"q4": "oui", "q20": "abc"},
                                 page=2)
    assert raised.value.errors == {"q20": "Saisissez un nombre, par exemple 12 ou 3,5."}
