import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError

from alliances.journeys.models import CohortMember, CohortRole, Invitation
from alliances.journeys.services import cohort_invite, invitation_accept


@pytest.fixture
def mail_now(settings):
    """Run the mail task at once, in the test, instead of through the worker."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_each_invited_person_gets_one_mail_with_a_single_use_link(
    cohort, animateur, mail_now, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitations = cohort_invite(
            cohort=cohort, emails="Lea@example.org; marc@example.org\nlea@example.org",
            role=CohortRole.PARTICIPANT, invited_by=animateur,
        )
    assert [i.email for i in invitations] == ["lea@example.org", "marc@example.org"]
    assert sorted(m.to[0] for m in mailoutbox) == ["lea@example.org", "marc@example.org"]
    assert cohort.name in mailoutbox[0].subject
    token = re.search(r"/parcours/invitation/([\w-]+)/", mailoutbox[0].body).group(1)
    assert Invitation.objects.filter(token=token).exists()


def test_accepting_makes_a_member_once(cohort, animateur, outsider):
    (invitation,) = cohort_invite(cohort=cohort, emails="olga@example.org",
                                  role=CohortRole.OBSERVATEUR, invited_by=animateur)
    member = invitation_accept(token=invitation.token, user=outsider)
    assert member.role == CohortRole.OBSERVATEUR and member.cohort == cohort
    with pytest.raises(ValidationError, match="déjà été utilisé"):
        invitation_accept(token=invitation.token, user=outsider)


def test_an_expired_link_is_refused(cohort, animateur, outsider):
    (invitation,) = cohort_invite(cohort=cohort, emails="olga@example.org",
                                  role=CohortRole.PARTICIPANT, invited_by=animateur)
    with time_machine.travel(invitation.expires_at + datetime.timedelta(seconds=1)):
        with pytest.raises(ValidationError, match="expiré"):
            invitation_accept(token=invitation.token, user=outsider)
    assert not CohortMember.objects.filter(cohort=cohort, user=outsider).exists()


def test_malformed_addresses_are_all_reported_and_nobody_is_invited(cohort, animateur):
    with pytest.raises(ValidationError) as error:
        cohort_invite(cohort=cohort, emails="ok@example.org, pas-une-adresse, x@",
                      role=CohortRole.PARTICIPANT, invited_by=animateur)
    messages = error.value.message_dict["emails"]
    assert len(messages) == 2
    assert "Adresse 2" in messages[0] and "pas-une-adresse" in messages[0]
    assert not Invitation.objects.exists()


def test_members_are_not_invited_again(cohort, animateur, participant):
    invitations = cohort_invite(cohort=cohort, emails=participant.email,
                                role=CohortRole.PARTICIPANT, invited_by=animateur)
    assert invitations == []


def test_an_unknown_token_is_refused(db, outsider):
    with pytest.raises(ValidationError):
        invitation_accept(token="nope", user=outsider)


def test_accepting_never_changes_a_members_role(cohort, animateur):
    (invitation,) = cohort_invite(cohort=cohort, emails="someone@example.org",
                                  role=CohortRole.PARTICIPANT, invited_by=animateur)
    member = invitation_accept(token=invitation.token, user=animateur)
    assert member.role == CohortRole.ANIMATEUR
    invitation.refresh_from_db()
    assert invitation.accepted_by == animateur
