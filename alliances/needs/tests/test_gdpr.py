"""The needs' part of the personal-data export, and what deleting the account does."""

import pytest

from alliances.accounts.gdpr import user_export
from alliances.accounts.services import user_delete
from alliances.needs.models import ContactRequest, Need
from alliances.needs.services import contact_request_answer, contact_request_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def exchanged(land, need, participant, animateur):
    sent = contact_request_send(need=need, sender=land.home, recipient=land.fondation_creteil,
                                user=participant, message="Bonjour, je suis Paul.")
    contact_request_answer(request=sent, user=animateur, accept=True, reply="Appelons-nous.")
    return sent


def test_the_export_holds_my_needs_and_requests(exchanged, participant, animateur):
    mine = user_export(participant)["needs"]
    assert [n["title"] for n in mine["needs"]] == ["Financer un atelier d'aide à l'emploi"]
    [request] = mine["contact_requests"]
    assert request["sent_by_me"] and request["message"] == "Bonjour, je suis Paul."
    assert request["reply"] is None  # someone else's words
    theirs = user_export(animateur)["needs"]
    assert theirs["needs"] == []
    [answered] = theirs["contact_requests"]
    assert answered["answered_by_me"] and answered["reply"] == "Appelons-nous."
    assert answered["message"] is None


def test_the_export_reads_in_a_fixed_number_of_queries(exchanged, participant,
                                                       django_assert_max_num_queries):
    from alliances.needs.gdpr import gdpr_export

    with django_assert_max_num_queries(2):
        gdpr_export(participant)


def test_deleting_the_account_removes_my_words_and_keeps_the_requests(exchanged, participant,
                                                                      animateur):
    user_delete(user=participant)
    request = ContactRequest.objects.get(pk=exchanged.pk)
    assert request.sent_by is None and "Paul" not in request.message
    assert request.reply == "Appelons-nous."
    assert Need.objects.get().created_by is None
    user_delete(user=animateur)
    request.refresh_from_db()
    assert request.answered_by is None and request.reply != "Appelons-nous."
