"""The invitation pages: inviting people to a cohort, and accepting an invitation."""

import datetime
import logging
import re

import pytest
import time_machine
from django.contrib.messages import get_messages

from alliances.journeys.models import CohortMember, CohortRole, Invitation
from alliances.journeys.services import cohort_invite, pilot_territory_add


def invite_url(cohort) -> str:
    return f"/parcours/{cohort.slug}/animation/inviter/"


def accept_url(invitation) -> str:
    return f"/parcours/invitation/{invitation.token}/"


@pytest.fixture
def mail_now(settings):
    """Run the mail task at once, in the test, instead of through the worker."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def invitation(cohort, animateur) -> Invitation:
    (invitation,) = cohort_invite(cohort=cohort, emails="olga@example.org",
                                  role=CohortRole.OBSERVATEUR, invited_by=animateur)
    return invitation


# --- who may invite -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["animateur", "admin"])
def test_the_animateur_and_admins_see_the_form(client, cohort, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(invite_url(cohort))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="emails"' in body and 'name="role"' in body
    assert "Val-de-Marne" in body  # the cohort's territories in the select


def test_a_participant_is_forbidden(client, cohort, participant):
    client.force_login(participant)
    assert client.get(invite_url(cohort)).status_code == 403
    assert client.post(invite_url(cohort), {"emails": "x@example.org",
                                            "role": "participant"}).status_code == 403
    assert not Invitation.objects.exists()


def test_an_intervenant_is_forbidden(client, cohort, intervenant):
    client.force_login(intervenant)
    assert client.get(invite_url(cohort)).status_code == 403


def test_an_outsider_does_not_find_a_private_cohort(client, cohort, outsider):
    client.force_login(outsider)
    assert client.get(invite_url(cohort)).status_code == 404
    assert client.post(invite_url(cohort), {"emails": "x@example.org",
                                            "role": "participant"}).status_code == 404


def test_an_outsider_is_forbidden_on_a_public_cohort(client, public_cohort, outsider):
    client.force_login(outsider)
    assert client.get(invite_url(public_cohort)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, cohort):
    response = client.get(invite_url(cohort))
    assert response.status_code == 302
    assert response.url.startswith("/compte/login/?next=")
    assert client.get("/parcours/inconnue/animation/inviter/").status_code == 302


def test_an_unknown_cohort_is_not_found(client, admin):
    client.force_login(admin)
    assert client.get("/parcours/inconnue/animation/inviter/").status_code == 404


# --- bad input ------------------------------------------------------------------------


def test_malformed_addresses_are_all_reported_on_the_field(client, cohort, animateur):
    client.force_login(animateur)
    response = client.post(invite_url(cohort), {
        "emails": "ok@example.org, pas-une-adresse; x@", "role": CohortRole.PARTICIPANT,
    })
    assert response.status_code == 200
    errors = response.context["form"].errors["emails"]
    assert len(errors) == 2
    assert "pas-une-adresse" in errors[0] and "x@" in errors[1]
    assert "Adresse 2" in errors[0]  # the service's French message
    body = response.content.decode()
    assert 'role="alert"' in body and 'href="#id_emails"' in body
    textarea = re.search(r"<textarea[^>]*>", body).group(0)
    assert 'aria-invalid="true"' in textarea
    assert "id_emails_error" in textarea  # aria-describedby points at the errors
    assert 'id="id_emails_error"' in body
    assert not Invitation.objects.exists()


def test_an_empty_box_is_reported(client, cohort, animateur):
    client.force_login(animateur)
    response = client.post(invite_url(cohort), {"emails": " ;, ", "role": "participant"})
    assert response.status_code == 200
    assert response.context["form"].errors["emails"]
    assert not Invitation.objects.exists()


def test_a_territory_of_another_cohort_is_refused(client, cohort, other_cohort, animateur):
    elsewhere = pilot_territory_add(cohort=other_cohort, name="Ailleurs")
    client.force_login(animateur)
    response = client.post(invite_url(cohort), {
        "emails": "lea@example.org", "role": "participant", "pilot_territory": elsewhere.pk,
    })
    assert response.status_code == 200
    assert response.context["form"].errors["pilot_territory"]
    assert not Invitation.objects.exists()


def test_an_unknown_role_is_refused(client, cohort, animateur):
    client.force_login(animateur)
    response = client.post(invite_url(cohort), {"emails": "lea@example.org", "role": "roi"})
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not Invitation.objects.exists()


# --- success --------------------------------------------------------------------------


def test_inviting_sends_one_mail_each_and_reports_members_skipped(
    client, cohort, animateur, participant, mail_now, mailoutbox,
    django_capture_on_commit_callbacks,
):
    territory = cohort.pilot_territories.get()
    client.force_login(animateur)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite_url(cohort), {
            "emails": f"Lea@example.org\nmarc@example.org; {participant.email}",
            "role": CohortRole.PARTICIPANT, "pilot_territory": territory.pk,
        })
    assert response.status_code == 302
    assert response.url == f"/parcours/{cohort.slug}/"
    invitations = Invitation.objects.filter(cohort=cohort).order_by("email")
    assert [(i.email, i.role, i.pilot_territory, i.invited_by) for i in invitations] == [
        ("lea@example.org", CohortRole.PARTICIPANT, territory, animateur),
        ("marc@example.org", CohortRole.PARTICIPANT, territory, animateur),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == ["lea@example.org", "marc@example.org"]
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(notes) == 2
    assert "2" in notes[0]
    assert participant.email in notes[1] and "lea@example.org" not in notes[1]


def test_the_pending_invitations_are_listed_without_their_tokens(
    client, cohort, animateur, invitation
):
    used = cohort_invite(cohort=cohort, emails="used@example.org",
                         role=CohortRole.PARTICIPANT, invited_by=animateur)[0]
    Invitation.objects.filter(pk=used.pk).update(accepted_at=used.created_at)
    client.force_login(animateur)
    body = client.get(invite_url(cohort)).content.decode()
    table = body[body.index("<table"):body.index("</table>")]
    assert "<caption>" in table
    assert "olga@example.org" in table and "used@example.org" not in table
    assert invitation.token not in body and used.token not in body


def test_the_invitation_page_reads_in_few_queries(
    client, cohort, animateur, django_assert_max_num_queries
):
    for name in ("Val-d'Oise", "Vosges", "Var"):
        cohort_invite(cohort=cohort, emails=f"{name[:3].lower()}@example.org",
                      role=CohortRole.PARTICIPANT, invited_by=animateur,
                      pilot_territory=pilot_territory_add(cohort=cohort, name=name))
    client.force_login(animateur)
    with django_assert_max_num_queries(8):
        assert client.get(invite_url(cohort)).status_code == 200


# --- accepting ------------------------------------------------------------------------


def test_the_page_shows_the_cohort_the_inviter_and_the_role(client, invitation, outsider):
    client.force_login(outsider)
    response = client.get(accept_url(invitation))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "Promotion test" in body and "Antoine Animateur" in body
    assert "observateur" in body.lower()
    assert '<form method="post">' in body
    assert not CohortMember.objects.filter(user=outsider).exists()  # GET changes nothing


def test_accepting_makes_a_member_and_lands_on_the_cohort(client, cohort, invitation, outsider):
    client.force_login(outsider)
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert response.url == f"/parcours/{cohort.slug}/"
    member = CohortMember.objects.get(cohort=cohort, user=outsider)
    assert member.role == CohortRole.OBSERVATEUR
    assert client.get(response.url).status_code == 200  # the private cohort is now visible


def test_a_used_link_shows_the_error(client, cohort, invitation, outsider, participant):
    client.force_login(outsider)
    client.post(accept_url(invitation))
    client.force_login(participant)
    for response in (client.post(accept_url(invitation)), client.get(accept_url(invitation))):
        assert response.status_code == 200
        body = response.content.decode()
        assert "déjà été utilisé" in body
        assert '<form method="post">' not in body
    assert CohortMember.objects.get(user=participant, cohort=cohort).role == "participant"


def test_an_expired_link_shows_the_error(client, cohort, invitation, outsider):
    client.force_login(outsider)
    with time_machine.travel(invitation.expires_at + datetime.timedelta(seconds=1)):
        for response in (client.get(accept_url(invitation)),
                         client.post(accept_url(invitation))):
            assert response.status_code == 200
            assert "expiré" in response.content.decode()
    assert not CohortMember.objects.filter(cohort=cohort, user=outsider).exists()


def test_an_unknown_token_is_not_found_and_not_logged(client, outsider, caplog):
    client.force_login(outsider)
    token = "un-jeton-inconnu-0123456789"
    with caplog.at_level(logging.DEBUG):
        get = client.get(f"/parcours/invitation/{token}/")
        post = client.post(f"/parcours/invitation/{token}/")
        put = client.put(f"/parcours/invitation/{token}/")
    assert get.status_code == post.status_code == 404
    assert put.status_code == 405
    assert get["Referrer-Policy"] == "strict-origin"
    assert token not in caplog.text


def test_anonymous_visitors_get_log_in_and_sign_up_links_back_here(client, invitation):
    response = client.get(accept_url(invitation))
    assert response.status_code == 200
    body = response.content.decode()
    here = accept_url(invitation)
    assert f'href="/compte/login/?next={here}"' in body
    assert f'href="/compte/signup/?next={here}"' in body
    assert '<form method="post">' not in body
    # Posting without an account sends to the log-in page, then back here.
    response = client.post(here)
    assert response.status_code == 302
    assert response.url.startswith("/compte/login/?next=")
    assert not CohortMember.objects.filter(role=CohortRole.OBSERVATEUR).exists()


def test_the_token_does_not_leak_in_the_referer(client, invitation, outsider):
    client.force_login(outsider)
    response = client.post(accept_url(invitation))
    assert response["Referrer-Policy"] == "strict-origin"
    body = client.get(response.url).content.decode()
    assert invitation.token not in body


def test_signing_up_from_the_invitation_comes_back_to_it_after_confirming(
    client, invitation, mailoutbox, password
):
    here = accept_url(invitation)
    page = client.get(f"/compte/signup/?next={here}")
    assert f'value="{here}"' in page.content.decode()  # carried by the sign-up form
    response = client.post(f"/compte/signup/?next={here}", {
        "email": "new@example.org", "password1": password, "password2": password, "next": here,
    })
    assert response.status_code == 302
    (mail,) = mailoutbox
    confirm_url = re.search(r"https?://[^/\s]+(/\S+)", mail.body).group(1)
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert response.url == here
    response = client.post(here)
    assert response.status_code == 302
    assert CohortMember.objects.filter(
        cohort=invitation.cohort, user__email="new@example.org"
    ).exists()


def test_logging_in_from_the_invitation_comes_back_to_it(client, invitation, outsider, password):
    here = accept_url(invitation)
    response = client.post(f"/compte/login/?next={here}", {
        "login": outsider.email, "password": password, "next": here,
    })
    assert response.status_code == 302
    assert response.url == here
