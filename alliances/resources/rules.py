"""Who may see and change resources and collections (django-rules, `user.has_perm`).

- Anyone, signed in or not, sees published resources and public collections.
- Anyone signed in proposes resources; a contributor sees their own contributions, edits
  them while they are drafts (new, or sent back with changes asked), and submits them.
- Reviewers are the platform's animateurs: they see every resource, review the submitted
  ones (not their own), edit them while under review or once published, and publish,
  refuse or unpublish them.
- The contributor and the reviewers follow a resource's review (its thread, comments,
  versions); a contributor deletes their own draft only if it was never submitted.
- Platform admins may do everything, their own contributions' review included.
- Collections are made by animateurs and admins; a private one is seen by its author, the
  cohort of its session and admins.
"""

import rules

from alliances.accounts.rules import is_animateur, is_platform_admin
from alliances.journeys.models import CohortMember

from .models import Collection, Resource, ResourceStatus


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def is_signed_in(user) -> bool:
    return _active(user)


@rules.predicate
def is_published(user, resource: Resource | None) -> bool:
    return resource is not None and resource.status == ResourceStatus.PUBLISHED


@rules.predicate
def is_contributor(user, resource: Resource | None) -> bool:
    return resource is not None and _active(user) and resource.contributor_id == user.pk


@rules.predicate
def is_draft(user, resource: Resource | None) -> bool:
    return resource is not None and resource.status == ResourceStatus.DRAFT


@rules.predicate
def is_awaiting_review(user, resource: Resource | None) -> bool:
    return resource is not None and resource.status in (
        ResourceStatus.SUBMITTED, ResourceStatus.IN_REVIEW
    )


@rules.predicate
def never_submitted(user, resource: Resource | None) -> bool:
    return resource is not None and resource.submitted_at is None


is_reviewer = is_animateur | is_platform_admin
# A reviewer of this resource: not one's own, unless one is an admin.
is_moderator = is_platform_admin | (is_animateur & ~is_contributor)
may_review = is_awaiting_review & is_moderator

rules.add_perm("resources.add_resource", is_signed_in)
rules.add_perm("resources.view_resource", is_published | is_contributor | is_reviewer)
rules.add_perm(
    "resources.change_resource",
    is_platform_admin
    | (is_contributor & is_draft)
    | (is_animateur & ~is_contributor & (is_awaiting_review | is_published)),
)
rules.add_perm("resources.submit_resource", is_draft & (is_contributor | is_platform_admin))
rules.add_perm("resources.review_resource", may_review)
rules.add_perm("resources.unpublish_resource", is_published & is_moderator)
rules.add_perm(
    "resources.delete_resource", is_platform_admin | (is_contributor & is_draft & never_submitted)
)
rules.add_perm("resources.view_review_queue", is_reviewer)
# The contribution pages check these, which leave the state to the services: a second
# click on "publish" meets "already published", not a refusal.
rules.add_perm("resources.follow_resource", is_contributor | is_reviewer)
rules.add_perm("resources.moderate_resource", is_moderator)
rules.add_perm("resources.submit_own_resource", is_contributor | is_platform_admin)


@rules.predicate
def is_public_collection(user, collection: Collection | None) -> bool:
    return collection is not None and collection.is_public


@rules.predicate
def is_collection_owner(user, collection: Collection | None) -> bool:
    return collection is not None and _active(user) and collection.owner_id == user.pk


@rules.predicate
def is_in_session_cohort(user, collection: Collection | None) -> bool:
    if collection is None or not _active(user) or collection.session_id is None:
        return False
    return CohortMember.objects.filter(
        cohort__sessions=collection.session_id, user=user
    ).exists()


rules.add_perm("resources.add_collection", is_reviewer)
rules.add_perm(
    "resources.view_collection",
    is_public_collection | is_collection_owner | is_platform_admin | is_in_session_cohort,
)
rules.add_perm("resources.change_collection", is_collection_owner | is_platform_admin)
rules.add_perm("resources.change_referentiel", is_platform_admin)
