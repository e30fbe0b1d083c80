"""Contributing: propose, edit, submit, review, publish or refuse; notifications; the
pages of one's contributions and of the reviewers' queue."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alliances.notifications.models import Notification, NotificationKind
from alliances.resources import search
from alliances.resources import services as s
from alliances.resources.models import Resource, ResourceEvent, ResourceStatus
from alliances.resources.testing import make_resource

pytestmark = pytest.mark.django_db

TITLE = "Cartographier les coopérations du territoire"


def draft(by, **fields):
    return make_resource(by=by, title=TITLE, status=ResourceStatus.DRAFT, **fields)


def kinds(resource):
    return list(ResourceEvent.objects.filter(resource=resource).values_list("kind", flat=True))


def test_a_draft_goes_through_review_to_publication(participant, animateur, admin, outsider):
    resource = draft(participant)
    assert search.search("coopérations").count == 0

    s.resource_submit(resource=resource, by=participant, message="Relue par ma collègue.")
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.SUBMITTED and resource.submitted_at
    # Every reviewer is told, not the contributor nor other participants.
    told = set(Notification.objects.filter(kind=NotificationKind.RESOURCE_SUBMITTED)
               .values_list("recipient__email", flat=True))
    assert told == {animateur.email, admin.email}
    assert Notification.objects.filter(recipient=animateur).get().url == reverse(
        "resources:review", args=[resource.pk]
    )

    s.resource_review_start(resource=resource, by=animateur)
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.IN_REVIEW and resource.reviewer == animateur
    s.resource_request_changes(resource=resource, by=animateur, comment="Ajoutez un exemple.")
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.DRAFT
    assert Notification.objects.filter(recipient=participant).count() == 2

    s.resource_comment(resource=resource, by=participant, body="C'est fait ?")
    # Resubmitted: the reviewer in charge is told, not every reviewer again.
    before = Notification.objects.filter(recipient=admin).count()
    s.resource_update(resource=resource, by=participant, body="Un exemple : la Drôme.")
    s.resource_submit(resource=resource, by=participant)
    assert Notification.objects.filter(recipient=admin).count() == before
    assert Notification.objects.filter(recipient=animateur).count() == 3

    s.resource_review_start(resource=resource, by=animateur)
    s.resource_publish(resource=resource, by=animateur)
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED and resource.published_at
    assert [h.id for h in search.search("coopérations").hits] == [resource.pk]
    assert Resource.objects.published().filter(pk=resource.pk).exists()
    assert kinds(resource) == [
        "submitted", "review_started", "changes_requested", "comment", "submitted",
        "review_started", "published",
    ]
    assert Notification.objects.filter(recipient=outsider).count() == 0

    s.resource_unpublish(resource=resource, by=animateur, reason="Lien mort.")
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.DRAFT
    assert search.search("coopérations").count == 0


def test_a_refusal_needs_a_reason_and_is_told(participant, animateur):
    resource = draft(participant)
    s.resource_submit(resource=resource, by=participant)
    with pytest.raises(ValidationError) as error:
        s.resource_refuse(resource=resource, by=animateur, reason="  ")
    assert "raison" in " ".join(error.value.messages).lower()
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.SUBMITTED
    s.resource_refuse(resource=resource, by=animateur, reason="Hors sujet.")
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.REFUSED
    assert resource.refusal_reason == "Hors sujet."
    assert Notification.objects.filter(recipient=participant).last().title.endswith("refusée")


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        (s.resource_publish, {}),
        (s.resource_review_start, {}),
        (s.resource_refuse, {"reason": "Non."}),
        (s.resource_request_changes, {"comment": "Non."}),
    ],
)
def test_a_second_click_meets_the_current_state(participant, animateur, action, kwargs):
    resource = draft(participant)
    s.resource_submit(resource=resource, by=participant)
    s.resource_review_start(resource=resource, by=animateur)
    s.resource_publish(resource=resource, by=animateur)
    events = ResourceEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        action(resource=resource, by=animateur, **kwargs)
    assert "déjà été publiée" in error.value.messages[0]
    assert ResourceEvent.objects.count() == events


def test_a_draft_never_submitted_is_deleted_by_its_contributor_only(participant, admin):
    resource = draft(participant)
    s.resource_submit(resource=resource, by=participant)
    with pytest.raises(ValidationError):
        s.resource_delete(resource=resource, by=participant)
    s.resource_delete(resource=resource, by=admin)
    assert not Resource.objects.exists()
