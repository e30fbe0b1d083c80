"""Who may do what with needs and contact requests (django-rules).

A need is posted and managed by its organisation's members. Anyone sees the needs of
public organisations. A contact request is answered (accepted or declined) by the members
of its recipient; its sender's members and its recipient's members read it; the e-mail
addresses of the other side are shown only once it is accepted.
"""

import rules

from alliances.actors.rules import is_platform_admin

from .models import ContactRequest, Need


def _member(user, organisation_id: int) -> bool:
    return user.memberships.filter(organisation_id=organisation_id).exists()


@rules.predicate
def is_need_member(user, need: Need | None) -> bool:
    return need is not None and user.is_authenticated and _member(user, need.organisation_id)


@rules.predicate
def is_public_need(user, need: Need | None) -> bool:
    return need is not None and need.organisation.is_public


@rules.predicate
def is_member_of_an_organisation(user) -> bool:
    return user.is_authenticated and user.memberships.exists()


@rules.predicate
def is_recipient_member(user, request: ContactRequest | None) -> bool:
    return (
        request is not None and user.is_authenticated and _member(user, request.recipient_id)
    )


@rules.predicate
def is_sender_member(user, request: ContactRequest | None) -> bool:
    return request is not None and user.is_authenticated and _member(user, request.sender_id)


rules.add_perm(
    "needs.add_need",
    rules.is_authenticated & (is_platform_admin | is_member_of_an_organisation),
)
# Sending a contact request: on behalf of one of one's organisations.
rules.add_perm("needs.add_contactrequest", rules.is_authenticated & is_member_of_an_organisation)
rules.add_perm("needs.view_need", is_public_need | is_platform_admin | is_need_member)
rules.add_perm("needs.change_need", rules.is_authenticated & (is_platform_admin | is_need_member))
rules.add_perm(
    "needs.view_contactrequest",
    rules.is_authenticated & (is_platform_admin | is_sender_member | is_recipient_member),
)
rules.add_perm("needs.answer_contactrequest", rules.is_authenticated & is_recipient_member)
