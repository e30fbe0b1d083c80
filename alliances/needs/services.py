"""Writes on needs and contact requests: every one named, typed and atomic.

A contact request joins a need's organisation and another one, in either direction: the
need's organisation asks a suggested organisation for help, or an organisation offers its
help to the need. Refused with a ValidationError (keyed by field where one is to blame),
nothing written: a need the sender may not see, a closed need, an organisation writing to
itself, a request between the same two organisations for the same need (whatever its
direction, and even once declined: a refusal is final), more than CONTACT_REQUESTS_PER_DAY
requests by one person in 24 hours, or more than CONTACT_REQUESTS_PER_RECIPIENT_PER_DAY of
them to the same organisation.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.accounts.models import User
from alliances.actors.models import Fragility, Membership, Organisation
from alliances.core.pagecache import pages_changed
from alliances.notifications.models import NotificationKind
from alliances.notifications.services import notify

from .models import ContactRequest, ContactStatus, HelpKind, Need, NeedStatus

# Counted in the database over a sliding day, so that every web worker agrees.
CONTACT_REQUESTS_PER_DAY = 20
CONTACT_REQUESTS_PER_RECIPIENT_PER_DAY = 5
RATE_WINDOW = datetime.timedelta(hours=24)
NEED_FIELDS = ("title", "description", "kind", "fragility", "status")


def _is_member(user: User, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation).exists()


def _check_need(need: Need) -> None:
    errors: dict[str, list[str]] = {}
    need.title = (need.title or "").strip()
    if not need.title:
        errors["title"] = [_("Give the need a title.")]
    if need.kind not in HelpKind.values:
        errors["kind"] = [_("Choose the kind of help.")]
    if need.status not in NeedStatus.values:
        errors["status"] = [_("Choose a status.")]
    if errors:
        raise ValidationError(errors)
    need.full_clean(exclude=["organisation", "created_by"])


@transaction.atomic
def need_create(
    *,
    organisation: Organisation,
    title: str,
    kind: str,
    created_by: User | None = None,
    description: str = "",
    fragility: Fragility | str | None = None,
    status: str = NeedStatus.OPEN,
) -> Need:
    """Post a need; `fragility` is a Fragility or its code."""
    need = Need(
        organisation=organisation, title=title, description=description, kind=kind,
        fragility_id=fragility.pk if isinstance(fragility, Fragility) else fragility,
        status=status, created_by=created_by,
    )
    _check_need(need)
    need.save()
    pages_changed()
    return need


@transaction.atomic
def need_update(*, need: Need, data: dict[str, Any]) -> Need:
    """Change the given fields (title, description, kind, fragility, status)."""
    unknown = set(data) - set(NEED_FIELDS)
    if unknown:
        raise TypeError(f"unknown need fields: {sorted(unknown)}")
    for field, value in data.items():
        setattr(need, field, value)
    _check_need(need)
    need.save()
    pages_changed()
    return need


def contact_requests_left(user: User, *, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    sent = ContactRequest.objects.filter(sent_by=user, created_at__gte=now - RATE_WINDOW).count()
    return max(0, CONTACT_REQUESTS_PER_DAY - sent)


def existing_request(need: Need, a: Organisation, b: Organisation) -> ContactRequest | None:
    """The request between these two organisations for this need, in either direction."""
    return (
        ContactRequest.objects.filter(need=need)
        .filter(Q(sender=a, recipient=b) | Q(sender=b, recipient=a))
        .first()
    )


def _member_users(organisation: Organisation) -> list[User]:
    return list(User.objects.filter(memberships__organisation=organisation))


@transaction.atomic
def contact_request_send(
    *,
    need: Need,
    sender: Organisation,
    recipient: Organisation,
    user: User,
    message: str,
) -> ContactRequest:
    """Send a contact request from `sender` (one of `user`'s organisations) to `recipient`
    about `need`; one of the two is the need's organisation. The recipient's members are
    notified; no e-mail address travels with the request."""
    message = (message or "").strip()
    if not Need.objects.visible_to(user).filter(pk=need.pk).exists():
        raise ValidationError(_("This need does not exist or is not visible to you."))
    if need.status != NeedStatus.OPEN:
        raise ValidationError(_("This need is no longer open: it takes no more requests."))
    if not _is_member(user, sender):
        raise ValidationError(
            {"sender": _("You can write only on behalf of an organisation you belong to.")}
        )
    if sender.pk == recipient.pk:
        raise ValidationError(
            {"recipient": _("An organisation cannot send a contact request to itself.")}
        )
    if need.organisation_id not in (sender.pk, recipient.pk):
        raise ValidationError(
            {"recipient": _("A contact request is between the need's organisation and another "
                            "organisation.")}
        )
    visible = (
        recipient.is_public or user.is_platform_admin or _is_member(user, recipient)
    )
    if not visible:
        raise ValidationError({"recipient": _("This organisation is not listed publicly.")})
    if not message:
        raise ValidationError({"message": _("Write a few words to introduce the request.")})
    if len(message) > 2000:
        raise ValidationError(
            {"message": _("The message is too long: 2,000 characters at most.")}
        )
    found = existing_request(need, sender, recipient)
    if found is not None:
        if found.status == ContactStatus.DECLINED:
            raise ValidationError(
                _("A request between these two organisations for this need was declined: it "
                  "cannot be sent again.")
            )
        raise ValidationError(
            _("A request between these two organisations for this need already exists.")
        )
    # Serialise one person's requests so that two at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if contact_requests_left(user) <= 0:
        raise ValidationError(
            _("You have sent %(limit)d contact requests in the last 24 hours, the most allowed: "
              "try again tomorrow.") % {"limit": CONTACT_REQUESTS_PER_DAY}
        )
    to_recipient = ContactRequest.objects.filter(
        sent_by=user, recipient=recipient, created_at__gte=timezone.now() - RATE_WINDOW
    ).count()
    if to_recipient >= CONTACT_REQUESTS_PER_RECIPIENT_PER_DAY:
        raise ValidationError(
            _("You have sent %(limit)d contact requests to %(organisation)s in the last 24 "
              "hours, the most allowed: try again tomorrow.")
            % {"limit": CONTACT_REQUESTS_PER_RECIPIENT_PER_DAY, "organisation": recipient.name}
        )
    try:
        with transaction.atomic():
            request = ContactRequest.objects.create(
                need=need, sender=sender, recipient=recipient, sent_by=user, message=message
            )
    except IntegrityError as error:  # the same request sent twice at once
        raise ValidationError(
            _("A request between these two organisations for this need already exists.")
        ) from error
    notify(
        recipients=_member_users(recipient),
        kind=NotificationKind.CONTACT_REQUEST,
        title=_("Contact request from %(sender)s about “%(need)s”")
        % {"sender": sender.name, "need": need.title},
        url=reverse("needs:contact_detail", args=[request.pk]),
        actor=user,
    )
    return request


@transaction.atomic
def contact_request_answer(
    *, request: ContactRequest, user: User, accept: bool, reply: str = ""
) -> ContactRequest:
    """Accept or decline a pending request, as a member of its recipient; once only."""
    reply = (reply or "").strip()
    locked = ContactRequest.objects.select_for_update().get(pk=request.pk)
    if not _is_member(user, locked.recipient):
        raise ValidationError(
            _("Only the members of the organisation that received the request can answer it.")
        )
    if locked.status != ContactStatus.PENDING:
        raise ValidationError(_("This request has already been answered."))
    if len(reply) > 2000:
        raise ValidationError({"reply": _("The reply is too long: 2,000 characters at most.")})
    locked.status = ContactStatus.ACCEPTED if accept else ContactStatus.DECLINED
    locked.reply = reply
    locked.answered_by = user
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "reply", "answered_by", "answered_at"])
    recipient_name = locked.recipient.name
    title = (
        _("%(recipient)s accepted your contact request about “%(need)s”")
        if accept
        else _("%(recipient)s declined your contact request about “%(need)s”")
    ) % {"recipient": recipient_name, "need": locked.need.title}
    notify(
        recipients=_member_users(locked.sender),
        kind=NotificationKind.CONTACT_ANSWER,
        title=title,
        url=reverse("needs:contact_detail", args=[locked.pk]),
        actor=user,
    )
    request.__dict__.update(
        {k: getattr(locked, k) for k in ("status", "reply", "answered_by_id", "answered_at")}
    )
    return locked
