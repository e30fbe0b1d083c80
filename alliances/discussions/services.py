"""Writes on the discussions: every one named, typed and atomic.

Each checks who may do it (PermissionDenied) and what is written (a French
ValidationError keyed by field); nothing is half-written: an attachment stored before a
failure is removed from the disk. Notifications, one per person and post:
- a mention (of someone who may read the thread) takes precedence over anything else;
- a reply notifies the thread's followers;
- a new thread notifies the cohort's animateurs (not everyone: they follow the cohort).
The author of a thread, and of any post, follows the thread from then on.
"""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alliances.accounts.models import User
from alliances.journeys.models import Cohort, CohortMember, CohortRole, PilotTerritory
from alliances.journeys.pagecache import cohort_pages_changed
from alliances.lib.richtext import mentions, render_markdown
from alliances.notifications.services import notify

from .handles import cohort_handles
from .models import (
    BODY_MAX_CHARS,
    EDIT_WINDOW_HOURS,
    MAX_ATTACHMENTS,
    TITLE_MAX_CHARS,
    Attachment,
    Follow,
    Post,
    Thread,
    ThreadRead,
)
from .rules import Viewer, viewer_of

POSTS_PER_PAGE = 25
REASON_MAX_CHARS = 300


# ---------------------------------------------------------------------------------------
# Checks


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the discussion a title.")})
    if len(title) > TITLE_MAX_CHARS:
        raise ValidationError(
            {
                "title": _("The title is too long (%(max)d characters at most).")
                % {"max": TITLE_MAX_CHARS}
            }
        )
    return title


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("The message is empty.")})
    if len(body) > BODY_MAX_CHARS:
        raise ValidationError(
            {
                "body": _("The message is too long (%(max)d characters at most).")
                % {"max": BODY_MAX_CHARS}
            }
        )
    return body


def _check_attachments(attachments: Sequence[UploadedFile]) -> None:
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("%(max)d attached files at most per message.")
                % {"max": MAX_ATTACHMENTS}
            }
        )


def _check_territory(cohort: Cohort, territory: PilotTerritory | None) -> None:
    if territory is not None and territory.cohort_id != cohort.pk:
        raise ValidationError({"pilot_territory": _("This territory is not of this cohort.")})


# ---------------------------------------------------------------------------------------
# Notifications


def post_url(post: Post) -> str:
    """The thread's page that shows `post`, anchored on it."""
    before = (
        Post.objects.filter(thread_id=post.thread_id, created_at__lte=post.created_at)
        .exclude(created_at=post.created_at, pk__gt=post.pk)
        .count()
    )
    page = (max(before, 1) - 1) // POSTS_PER_PAGE + 1
    url = reverse("discussions:thread", args=[post.thread_id])
    return f"{url}{f'?page={page}' if page > 1 else ''}#post-{post.pk}"


def _mentioned(thread: Thread, body: str) -> list[User]:
    """The people @mentioned in `body` who may read the thread (the others are ignored)."""
    if "@" not in body:
        return []
    handles = cohort_handles(thread.cohort_id)
    found = mentions(body, handles.keys())
    people = []
    for handle in sorted(found):
        member = handles[handle]
        viewer = Viewer(
            user_id=member.user_id, role=member.role, territory_id=member.pilot_territory_id
        )
        if viewer.sees(thread):
            people.append(member.user)
    return people


def _notify_post(
    *, post: Post, thread: Thread, actor: User, first: bool, mentioned: list[User]
) -> None:
    url = post_url(post)
    name, title = str(actor), thread.title
    mentioned_ids = {user.pk for user in mentioned}
    with translation.override(settings.LANGUAGE_CODE):
        if mentioned:
            notify(
                recipients=mentioned,
                kind="mention",
                actor=actor,
                cohort=thread.cohort,
                url=url,
                title=_("%(name)s mentioned you in “%(title)s”") % {"name": name, "title": title},
            )
        if first:
            animateurs = [
                member.user
                for member in CohortMember.objects.filter(
                    cohort_id=thread.cohort_id, role=CohortRole.ANIMATEUR
                ).select_related("user")
                if member.user_id not in mentioned_ids
            ]
            notify(
                recipients=animateurs,
                kind="thread",
                actor=actor,
                cohort=thread.cohort,
                url=url,
                title=_("%(name)s started a discussion: “%(title)s”")
                % {"name": name, "title": title},
            )
        else:
            followers = [
                follow.user
                for follow in Follow.objects.filter(thread=thread).select_related("user")
                if follow.user_id not in mentioned_ids
            ]
            notify(
                recipients=followers,
                kind="reply",
                actor=actor,
                cohort=thread.cohort,
                url=url,
                title=_("%(name)s replied in “%(title)s”") % {"name": name, "title": title},
            )


# ---------------------------------------------------------------------------------------
# Threads and posts


def _store_attachments(post: Post, attachments: Sequence[UploadedFile]) -> None:
    stored: list[Attachment] = []
    try:
        for upload in attachments:
            stored.append(
                Attachment.objects.create(
                    post=post, file=upload, name=(upload.name or "")[:200], size=upload.size or 0
                )
            )
    except BaseException:
        # The database rolls back; the disk does not.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise


def _add_post(
    *,
    thread: Thread,
    author: User,
    body: str,
    attachments: Sequence[UploadedFile],
    now: datetime.datetime,
) -> Post:
    post = Post.objects.create(
        thread=thread, author=author, body=body, body_html=render_markdown(body), created_at=now
    )
    if attachments:
        _store_attachments(post, attachments)
    Follow.objects.get_or_create(thread=thread, user=author)
    return post


@transaction.atomic
def thread_create(
    *,
    cohort: Cohort,
    author: User,
    title: str,
    body: str,
    pilot_territory: PilotTerritory | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Thread:
    """A new thread with its first post; the cohort's animateurs are told."""
    _check_territory(cohort, pilot_territory)
    territory_id = pilot_territory.pk if pilot_territory is not None else None
    if not viewer_of(author, cohort.pk).writes_in(territory_id):
        raise PermissionDenied
    errors: dict[str, list] = {}
    for check, args in (
        (_clean_title, (title,)),
        (_clean_body, (body,)),
        (_check_attachments, (attachments,)),
    ):
        try:
            check(*args)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    thread = Thread.objects.create(
        cohort=cohort,
        pilot_territory=pilot_territory,
        title=_clean_title(title),
        author=author,
        created_at=now,
        last_post_at=now,
    )
    body = _clean_body(body)
    post = _add_post(thread=thread, author=author, body=body, attachments=attachments, now=now)
    ThreadRead.objects.create(thread=thread, user=author, read_at=now)
    # The cohort space's discussions panel lists the latest threads.
    cohort_pages_changed(cohort.pk)
    _notify_post(
        post=post, thread=thread, actor=author, first=True, mentioned=_mentioned(thread, body)
    )
    return thread


@transaction.atomic
def post_create(
    *, thread: Thread, author: User, body: str, attachments: Sequence[UploadedFile] = ()
) -> Post:
    """A reply: its followers are told, and the people it mentions."""
    # Locked against a concurrent lock or post: last_post_at only moves forward.
    thread = Thread.objects.select_for_update().select_related("cohort").get(pk=thread.pk)
    viewer = viewer_of(author, thread.cohort_id)
    if not viewer.writes_in(thread.pilot_territory_id):
        raise PermissionDenied
    if thread.locked:
        raise ValidationError(
            {"body": _("This discussion is locked: no new message can be posted.")}
        )
    body = _clean_body(body)
    _check_attachments(attachments)
    now = timezone.now()
    post = _add_post(thread=thread, author=author, body=body, attachments=attachments, now=now)
    Thread.objects.filter(pk=thread.pk).update(last_post_at=now)
    thread.last_post_at = now
    cohort_pages_changed(thread.cohort_id)  # the panel's order, counts and "new" marks
    thread_mark_read(thread=thread, user=author, now=now)
    _notify_post(
        post=post, thread=thread, actor=author, first=False, mentioned=_mentioned(thread, body)
    )
    return post


def post_editable_by(post: Post, user, *, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        getattr(user, "is_authenticated", False)
        and post.author_id == user.pk
        and post.hidden_at is None
        and now - post.created_at <= datetime.timedelta(hours=EDIT_WINDOW_HOURS)
    )


@transaction.atomic
def post_edit(*, post: Post, user: User, body: str) -> Post:
    """The author rewrites a post within 24 hours; people newly mentioned are told."""
    post = Post.objects.select_for_update().select_related("thread__cohort").get(pk=post.pk)
    thread = post.thread
    if not viewer_of(user, thread.cohort_id).sees(thread):
        raise PermissionDenied
    if not post_editable_by(post, user):
        raise PermissionDenied
    if thread.locked:
        raise ValidationError(
            {"body": _("This discussion is locked: messages can no longer be changed.")}
        )
    body = _clean_body(body)
    before = {u.pk for u in _mentioned(thread, post.body)}
    post.body = body
    post.body_html = render_markdown(body)
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    new = [u for u in _mentioned(thread, body) if u.pk not in before]
    if new:
        with translation.override(settings.LANGUAGE_CODE):
            notify(
                recipients=new,
                kind="mention",
                actor=user,
                cohort=thread.cohort,
                url=post_url(post),
                title=_("%(name)s mentioned you in “%(title)s”")
                % {"name": str(user), "title": thread.title},
            )
    return post


def _moderated(thread: Thread, by: User) -> None:
    if not viewer_of(by, thread.cohort_id).may_moderate(thread):
        raise PermissionDenied


@transaction.atomic
def post_hide(*, post: Post, by: User, reason: str) -> Post:
    """Moderation: the post shows “message hidden by the animation” to everyone."""
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    _moderated(post.thread, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the message is hidden.")})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError(
            {
                "reason": _("The reason is too long (%(max)d characters at most).")
                % {"max": REASON_MAX_CHARS}
            }
        )
    post.hidden_at = timezone.now()
    post.hidden_by = by
    post.hidden_reason = reason
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return post


@transaction.atomic
def post_unhide(*, post: Post, by: User) -> Post:
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    _moderated(post.thread, by)
    post.hidden_at, post.hidden_by, post.hidden_reason = None, None, ""
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return post


@transaction.atomic
def thread_lock(*, thread: Thread, by: User, locked: bool = True) -> Thread:
    _moderated(thread, by)
    Thread.objects.filter(pk=thread.pk).update(locked=locked)
    thread.locked = locked
    cohort_pages_changed(thread.cohort_id)
    return thread


@transaction.atomic
def thread_pin(*, thread: Thread, by: User, pinned: bool = True) -> Thread:
    _moderated(thread, by)
    Thread.objects.filter(pk=thread.pk).update(pinned=pinned)
    thread.pinned = pinned
    cohort_pages_changed(thread.cohort_id)
    return thread


@transaction.atomic
def thread_follow(*, thread: Thread, user: User) -> Follow:
    if not viewer_of(user, thread.cohort_id).sees(thread):
        raise PermissionDenied
    follow, _created = Follow.objects.get_or_create(thread=thread, user=user)
    return follow


@transaction.atomic
def thread_unfollow(*, thread: Thread, user: User) -> None:
    Follow.objects.filter(thread=thread, user=user).delete()


def thread_mark_read(*, thread: Thread, user: User, now: datetime.datetime | None = None) -> None:
    """Remember that `user` saw the thread as of now: one query, insert or update."""
    ThreadRead.objects.bulk_create(
        [ThreadRead(thread=thread, user=user, read_at=now or timezone.now())],
        update_conflicts=True,
        unique_fields=["thread", "user"],
        update_fields=["read_at"],
    )
