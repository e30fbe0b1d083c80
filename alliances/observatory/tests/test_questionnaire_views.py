"""The questionnaire's pages: an invitation's flow from welcome to thanks, the open link with
its resume link and rate limit, errors next to their fields, and the refusals (404 unknown
link, already answered, 410 wave not collecting, 429 too many starts).

Assertions rest on status codes, addresses, ids and attributes, so that they hold in any
language; the French wording is checked in test_questionnaire_french.py.
"""

import re

import pytest
from django.urls import reverse

from alliances.observatory import collection, services
from alliances.observatory.models import Invitation, Wave, WebResponse

from .test_questionnaire_services import PAGES, collecting_wave

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"observatory:{name}", args=args)


@pytest.fixture
def wave(analyste):
    return collecting_wave(analyste, open_link=True)


@pytest.fixture
def invitation(wave) -> Invitation:
    return collection.invitations_create(wave=wave, labels=["Mairie de Die"])[0]


def assert_private(response) -> None:
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"].startswith("noindex")
    assert b'<meta name="robots" content="noindex' in response.content


# -- an invitation, from welcome to thanks ----------------------------------------------------


def test_an_invitation_is_answered_page_by_page(client, invitation, wave):
    token = invitation.token
    welcome = client.get(url("answer_invitation", token))
    assert welcome.status_code == 200
    assert_private(welcome)
    assert url("answer_invitation_page", token, 1).encode() in welcome.content
    # Nothing is written by reading the link (mail scanners follow links).
    assert not WebResponse.objects.exists()

    for step, answers in enumerate(PAGES, start=1):
        page = client.get(url("answer_invitation_page", token, step))
        assert page.status_code == 200
        assert_private(page)
        assert f'value="{step}"'.encode() in page.content  # the <progress>
        after = client.post(url("answer_invitation_page", token, step),
                            {**answers, "_action": "next"})
        following = (url("answer_invitation_page", token, step + 1) if step < len(PAGES)
                     else url("answer_invitation_review", token))
        assert after.status_code == 302 and after["Location"] == following

    review = client.get(url("answer_invitation_review", token))
    assert review.status_code == 200
    text = review.content.decode()
    assert "Auvergne-Rhône-Alpes" in text and "Un territoire qui bouge." in text
    sent = client.post(url("answer_invitation_review", token))
    assert sent.status_code == 302 and sent["Location"] == url("answer_invitation_thanks", token)
    assert client.get(sent["Location"]).status_code == 200

    response = WebResponse.objects.get()
    assert response.invitation == invitation and response.status == "envoyee"
    assert response.answers["q14"] == ["asso", "entreprises"] and response.user is None
    wave.refresh_from_db()
    assert wave.data_version == 1

    # The link again: "already answered", and no page lets the answers change.
    for again in (client.get(url("answer_invitation", token)),
                  client.get(url("answer_invitation_page", token, 1)),
                  client.post(url("answer_invitation_page", token, 1), {"region": "11"}),
                  client.post(url("answer_invitation_review", token))):
        assert again.status_code == 200
        assert [t.name for t in again.templates][0] == "observatory/questionnaire/answered.html"
    response.refresh_from_db()
    assert response.answers["region"] == "84"
    wave.refresh_from_db()
    assert wave.data_version == 1


def test_pages_never_show_the_invitation_label(client, invitation):
    for address in (url("answer_invitation", invitation.token),
                    url("answer_invitation_page", invitation.token, 1),
                    url("answer_invitation_review", invitation.token)):
        assert b"Mairie de Die" not in client.get(address).content


def test_the_widgets(client, invitation):
    html = client.get(url("answer_invitation_page", invitation.token, 2)).content.decode()
    # Single choice: radios in a fieldset whose legend is the question.
    fieldset = re.search(r'<fieldset[^>]*data-question="q4".*?</fieldset>', html, re.S).group(0)
    assert "<legend" in fieldset and fieldset.count('type="radio"') == 3
    assert 'aria-describedby="q-q4-hint"' in fieldset and 'id="q-q4-hint"' in fieldset
    # Multiple choice: checkboxes.
    fieldset = re.search(r'<fieldset[^>]*data-question="q14".*?</fieldset>', html, re.S).group(0)
    assert fieldset.count('type="checkbox"') == 3
    # Number: a number field with the bounds, a decimal keyboard on phones.
    number = re.search(r'<input type="number"[^>]*>', html).group(0)
    assert 'inputmode="decimal"' in number and 'min="0"' in number and 'max="500"' in number
    text = client.get(url("answer_invitation_page", invitation.token, 3)).content.decode()
    assert '<textarea name="q30" id="q-q30"' in text
    assert re.search(r'<html lang="fr"', text)


def test_wrong_answers_come_back_next_to_their_fields(client, invitation):
    page = url("answer_invitation_page", invitation.token, 2)
    response = client.post(page, {"q4": "", "q20": "abc", "q14": ["asso"], "_action": "next"})
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary.*?</div>', html, re.S).group(0)
    # The summary links to the first radio of q4 and to the q20 field.
    assert 'href="#q-q4-0"' in summary and 'href="#q-q20"' in summary
    assert 'id="q-q4-0"' in html
    assert re.search(r'<fieldset[^>]*aria-describedby="q-q4-hint q-q4-error"', html)
    number = re.search(r'<input type="number"[^>]*>', html).group(0)
    assert 'aria-describedby="q-q20-error"' in number and 'aria-invalid="true"' in number
    assert 'id="q-q20-error"' in html
    # What was typed and ticked is kept.
    assert re.search(r'value="asso" id="q-q14-0" checked', html)
    # Nothing written: not even the invitation's draft.
    assert not WebResponse.objects.exists()


def test_save_for_later_gives_the_resume_link(client, invitation):
    page = url("answer_invitation_page", invitation.token, 2)
    response = client.post(page, {"q20": "4", "_action": "later"})  # q4 required, not yet
    saved = url("answer_invitation_saved", invitation.token)
    assert response.status_code == 302 and response["Location"] == f"{saved}?etape=2"
    landing = client.get(response["Location"])
    assert landing.status_code == 200
    assert_private(landing)
    html = landing.content.decode()
    assert f"http://testserver{url('answer_invitation', invitation.token)}" in html
    assert f'href="{page}"' in html  # "continue now" goes back to that page
    assert WebResponse.objects.get().answers == {"q20": 4}
    # Back, and the answers are there.
    again = client.get(page).content.decode()
    assert re.search(r'<input type="number"[^>]*value="4"', again)


def test_back_saves_without_the_required_check(client, invitation):
    page = url("answer_invitation_page", invitation.token, 2)
    response = client.post(page, {"q20": "7", "_action": "previous"})
    assert response["Location"] == url("answer_invitation_page", invitation.token, 1)
    first = client.post(url("answer_invitation_page", invitation.token, 1),
                        {"_action": "previous"})
    assert first["Location"] == url("answer_invitation", invitation.token)
    assert WebResponse.objects.get().answers == {"q20": 7}


def test_sending_with_missing_answers_lists_them_with_links_to_their_pages(client, invitation):
    client.post(url("answer_invitation_page", invitation.token, 3), {"q30": "x"})
    review = client.post(url("answer_invitation_review", invitation.token))
    assert review.status_code == 400
    html = review.content.decode()
    assert f'href="{url("answer_invitation_page", invitation.token, 1)}#q-region-0"' in html
    assert f'href="{url("answer_invitation_page", invitation.token, 2)}#q-q4-0"' in html
    assert WebResponse.objects.get().status == "brouillon"


def test_the_thanks_page_needs_a_sent_response(client, invitation):
    response = client.get(url("answer_invitation_thanks", invitation.token))
    assert response["Location"] == url("answer_invitation", invitation.token)


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name, args", [
    ("answer_invitation", ["inconnu"]), ("answer_invitation_page", ["inconnu", 1]),
    ("answer_invitation_review", ["inconnu"]), ("answer_resume", ["inconnu"]),
    ("answer_open", ["inconnu"]),
])
def test_unknown_links_are_404(client, wave, name, args):
    assert client.get(url(name, *args)).status_code == 404


def test_a_page_out_of_range_is_404(client, invitation):
    assert client.get(url("answer_invitation_page", invitation.token, 4)).status_code == 404
    assert client.get(url("answer_invitation_page", invitation.token, 0)).status_code == 404


@pytest.mark.parametrize("status", [Wave.Status.BROUILLON, Wave.Status.CLOSE])
def test_a_wave_not_collecting_answers_410_and_saves_nothing(client, analyste, status):
    wave = collecting_wave(analyste, status=Wave.Status.COLLECTE, open_link=True)
    invitation = collection.invitations_create(wave=wave, count=1)[0]
    draft = collection.response_start_open(wave=wave)
    collection.response_save(response=draft, answers=PAGES[0], page=1)
    if status == Wave.Status.CLOSE:
        services.wave_set_status(wave=wave, status=status, by=analyste)
    else:
        Wave.objects.filter(pk=wave.pk).update(status=status)
    token, key = invitation.token, draft.resume_key
    refused = [
        client.get(url("answer_invitation", token)),
        client.get(url("answer_invitation_page", token, 1)),
        client.post(url("answer_invitation_page", token, 1), PAGES[0]),
        client.post(url("answer_invitation_review", token)),
        client.get(url("answer_open", wave.open_key)),
        client.post(url("answer_open", wave.open_key)),
        client.post(url("answer_resume_page", key, 2), PAGES[1]),
        client.post(url("answer_resume_review", key)),
    ]
    assert [r.status_code for r in refused] == [410] * len(refused)
    assert_private(refused[0])
    assert WebResponse.objects.count() == 1
    draft.refresh_from_db()
    assert draft.answers == PAGES[0] and draft.status == "brouillon"


def test_an_open_link_that_is_off_is_404(client, analyste):
    wave = collecting_wave(analyste, open_link=False)
    assert client.get(url("answer_open", wave.open_key)).status_code == 404
    assert client.post(url("answer_open", wave.open_key)).status_code == 404
    assert not WebResponse.objects.exists()


# -- the open link ----------------------------------------------------------------------------


def test_the_open_link_starts_a_response_resumed_by_its_own_link(client, wave):
    welcome = client.get(url("answer_open", wave.open_key))
    assert welcome.status_code == 200
    assert_private(welcome)
    assert not WebResponse.objects.exists()
    started = client.post(url("answer_open", wave.open_key))
    response = WebResponse.objects.get()
    assert started["Location"] == url("answer_resume_page", response.resume_key, 1)
    assert client.session["observatory_responses"] == {str(wave.pk): response.resume_key}

    client.post(started["Location"], {**PAGES[0], "_action": "later"})
    saved = client.get(url("answer_resume_saved", response.resume_key))
    assert url("answer_resume", response.resume_key).encode() in saved.content

    # The same browser coming back by the open link takes its draft back.
    again = client.get(url("answer_open", wave.open_key))
    assert again.context["draft"] == response
    assert client.post(url("answer_open", wave.open_key))["Location"] == started["Location"]
    assert WebResponse.objects.count() == 1

    # Another device, with the resume link only.
    from django.test import Client

    other = Client()
    resumed = other.get(url("answer_resume", response.resume_key))
    assert resumed.status_code == 200
    page1 = other.get(url("answer_resume_page", response.resume_key, 1)).content.decode()
    assert re.search(r'value="84" id="q-region-1" checked', page1)
    for step, answers in enumerate(PAGES[1:], start=2):
        other.post(url("answer_resume_page", response.resume_key, step), answers)
    sent = other.post(url("answer_resume_review", response.resume_key))
    assert sent["Location"] == url("answer_resume_thanks", response.resume_key)
    response.refresh_from_db()
    assert response.status == "envoyee"
    # The first browser is not offered the sent response again.
    assert client.get(url("answer_open", wave.open_key)).context["draft"] is None


def test_submitting_forgets_the_draft_in_the_session(client, wave):
    client.post(url("answer_open", wave.open_key))
    response = WebResponse.objects.get()
    for step, answers in enumerate(PAGES, start=1):
        client.post(url("answer_resume_page", response.resume_key, step), answers)
    client.post(url("answer_resume_review", response.resume_key))
    assert client.session["observatory_responses"] == {}
    client.post(url("answer_open", wave.open_key))
    assert WebResponse.objects.count() == 2


def test_too_many_starts_from_one_address_get_429(client, wave, settings):
    from django.test import Client

    settings.OBSERVATORY_OPEN_LINK_RATE = "2/h"
    for _n in range(2):
        assert Client().post(url("answer_open", wave.open_key)).status_code == 302
    refused = Client().post(url("answer_open", wave.open_key))
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert_private(refused)
    assert WebResponse.objects.count() == 2
    # Another address may still start one.
    other = Client(REMOTE_ADDR="198.51.100.7").post(url("answer_open", wave.open_key))
    assert other.status_code == 302 and WebResponse.objects.count() == 3


def test_a_signed_in_respondent_is_kept_on_the_response(client, wave, participant, password):
    client.login(email=participant.email, password=password)
    client.post(url("answer_open", wave.open_key))
    assert WebResponse.objects.get().user == participant
    invitation = collection.invitations_create(wave=wave, count=1)[0]
    client.post(url("answer_invitation_page", invitation.token, 1), PAGES[0])
    assert WebResponse.objects.get(invitation=invitation).user == participant
    # The page shows no account name: nothing personal beyond the answers.
    page = client.get(url("answer_invitation_page", invitation.token, 1))
    assert participant.display_name.encode() not in page.content
    assert participant.email.encode() not in page.content


# -- whose answers a link shows ---------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "analyste", "other_analyste", "participant",
                                     "anonymous"])
def test_a_link_shows_its_own_response_only(client, request, wave, persona, password):
    from alliances.accounts.models import User
    from alliances.accounts.services import user_create

    if persona == "other_analyste":
        user = user_create(email="autre@example.org", password=password,
                           role=User.Role.ANALYSTE)
    elif persona != "anonymous":
        user = request.getfixturevalue(persona)
    if persona != "anonymous":
        client.login(email=user.email, password=password)
    mine = collection.response_start_open(wave=wave)
    collection.response_save(response=mine, answers={"q30": "réponse A"}, page=3)
    theirs = collection.response_start_open(wave=wave)
    collection.response_save(response=theirs, answers={"q30": "réponse B"}, page=3)
    invitation = collection.invitations_create(wave=wave, count=1)[0]
    invited = collection.response_for_invitation(invitation=invitation)
    collection.response_save(response=invited, answers={"q30": "réponse C"}, page=3)

    page = client.get(url("answer_resume_page", mine.resume_key, 3)).content.decode()
    assert "réponse A" in page and "réponse B" not in page and "réponse C" not in page
    review = client.get(url("answer_resume_review", theirs.resume_key)).content.decode()
    assert "réponse B" in review and "réponse A" not in review
    # An invitation's response is reached by its token only, never by its resume key.
    assert client.get(url("answer_resume_page", invited.resume_key, 3)).status_code == 404
    # Whoever is signed in, the session of another visitor's draft is not theirs to see.
    assert client.get(url("answer_open", wave.open_key)).context["draft"] is None


def test_a_page_reads_in_a_fixed_number_of_queries(client, invitation,
                                                   django_assert_max_num_queries):
    client.post(url("answer_invitation_page", invitation.token, 1), PAGES[0])
    with django_assert_max_num_queries(5):
        assert client.get(url("answer_invitation_page", invitation.token, 2)).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(url("answer_invitation_review", invitation.token)).status_code == 200


def test_get_only_pages_refuse_post(client, invitation):
    assert client.post(url("answer_invitation", invitation.token)).status_code == 405
    assert client.post(url("answer_invitation_saved", invitation.token)).status_code == 405



def test_turning_the_open_link_off_stops_new_responses_not_drafts(client, wave):
    client.post(url("answer_open", wave.open_key))
    draft = WebResponse.objects.get()
    Wave.objects.filter(pk=wave.pk).update(open_link=False)
    assert client.post(url("answer_open", wave.open_key)).status_code == 404
    page = client.post(url("answer_resume_page", draft.resume_key, 1), PAGES[0])
    assert page.status_code == 302
    assert WebResponse.objects.get().answers == PAGES[0]
