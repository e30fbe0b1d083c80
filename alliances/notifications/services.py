"""Writes on notifications: creating them, e-mailing them (immediately or in digests), the
reminders before sessions and due dates, and the reader's own actions (read, preferences).

Mail delivery is at most once: a batch of notifications is marked e-mailed in the database
(and committed) before its mails leave; if the SMTP server refuses the batch, the marks are
taken back so the next run retries it; if the process dies in between, those mails are
lost rather than sent twice.
"""

import datetime
import itertools
import textwrap
from collections.abc import Iterable
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alliances.accounts.models import User
from alliances.journeys.models import (
    REGISTERING_ROLES,
    Assignment,
    Cohort,
    CohortMember,
    CohortRole,
    Registration,
    Session,
    Submission,
    SubmissionStatus,
)

from .models import (
    DigestFrequency,
    DigestPreference,
    Notification,
    NotificationKind,
    ReminderSent,
)
from .tasks import send_immediate

PARIS = ZoneInfo("Europe/Paris")
# People per database batch and per SMTP batch: bounded memory, one connection for all.
CHUNK = 500
SESSION_REMINDER_BEFORE = datetime.timedelta(hours=24)
DUE_REMINDER_DAYS = 3
# At most this many notifications listed in one mail; the rest wait on the site.
MAIL_ITEMS = 50


def _check_url(url: str) -> str:
    # A path of this site only: no scheme, no other host ("//evil.example" included).
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        raise ValueError(f"notification url must be a path of the site: {url!r}")
    return url


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    url: str,
    actor: User | None = None,
    cohort: Cohort | None = None,
) -> int:
    """Create one notification per recipient (the actor excluded, duplicates removed) and
    schedule immediate mails on commit for those who asked for them. Returns the count.

    Inactive and deleted accounts are skipped. `url` is a path of the site ("/parcours/…").
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind: {kind!r}")
    _check_url(url)
    title = Truncator(title.strip()).chars(300)
    actor_id = actor.pk if actor is not None else None
    seen: set[int] = set()
    people: list[int] = []
    for user in recipients:
        if user.pk in seen or user.pk == actor_id:
            continue
        seen.add(user.pk)
        if user.is_active and user.deleted_at is None:
            people.append(user.pk)
    if not people:
        return 0
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient_id=pk, kind=kind, title=title, url=url, actor=actor, cohort=cohort,
            created_at=now,
        )
        for pk in people
    )
    immediate = list(
        DigestPreference.objects.filter(
            user_id__in=people, frequency=DigestFrequency.IMMEDIATE
        ).values_list("user_id", flat=True)
    )
    if immediate:
        # One task for the whole batch, enqueued once the notifications exist.
        transaction.on_commit(partial(send_immediate.enqueue, user_ids=sorted(immediate)))
    return len(people)


# ---------------------------------------------------------------------------------------
# Reading


def notification_open(*, notification: Notification, user: User) -> str:
    """Mark one's own notification read (if it was not) and return where it points."""
    if notification.recipient_id != user.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    return notification.url


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the person read; returns how many."""
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


@transaction.atomic
def digest_preference_set(*, user: User, frequency: str) -> DigestPreference:
    if frequency not in DigestFrequency.values:
        raise ValidationError({"frequency": _("Choose how often you want e-mails.")})
    preference, _created = DigestPreference.objects.update_or_create(
        user=user, defaults={"frequency": frequency}
    )
    return preference


# ---------------------------------------------------------------------------------------
# E-mail


def _people_q(frequency: str) -> Q:
    """The people (by Notification.recipient) whose preference is `frequency`."""
    if frequency == DigestFrequency.DAILY:
        # No row means daily, the default.
        return Q(recipient__digest_preference__isnull=True) | Q(
            recipient__digest_preference__frequency=DigestFrequency.DAILY
        )
    return Q(recipient__digest_preference__frequency=frequency)


def _subject(frequency: str, rows: list[dict]) -> str:
    if frequency == DigestFrequency.IMMEDIATE and len(rows) == 1:
        subject = rows[0]["title"]
    elif frequency == DigestFrequency.IMMEDIATE:
        subject = _("%(count)s new notifications") % {"count": len(rows)}
    elif frequency == DigestFrequency.WEEKLY:
        subject = _("Your notifications of the week (%(count)s)") % {"count": len(rows)}
    else:
        subject = _("Your notifications of the day (%(count)s)") % {"count": len(rows)}
    return f"[Alliances] {subject}"


def _groups(
    rows: list[dict], *, labels: dict[str, str], no_cohort: str
) -> list[tuple[str, list[tuple[str, list[dict]]]]]:
    """Group one person's notifications by cohort (those of no cohort last, the cohorts in
    alphabetical order), then kind, newest first within a kind."""
    rows = sorted(
        rows,
        key=lambda r: (
            r["cohort__name"] is None, r["cohort__name"] or "", labels[r["kind"]],
            -r["created_at"].timestamp(),
        ),
    )
    return [
        (
            cohort or no_cohort,
            [(labels[kind], list(items))
             for kind, items in itertools.groupby(in_cohort, key=lambda r: r["kind"])],
        )
        for cohort, in_cohort in itertools.groupby(rows, key=lambda r: r["cohort__name"])
    ]


def _kind_labels() -> dict[str, str]:
    return {value: str(label)[:1].upper() + str(label)[1:] for value, label in
            NotificationKind.choices}


class _Layout:
    """The mail's frame (greeting, footer links), rendered once per run from the templates
    notifications/email/digest.{txt,html}; each person's list is set in it.

    Rendering two templates per person took longer than building the mail itself: a digest
    to 6,000 people must fit in 30 s.
    """

    MARK = "@@ITEMS@@"

    def __init__(self, *, frequency: str, site: str) -> None:
        context = {
            "frequency": frequency,
            "items": self.MARK,
            "notifications_url": site + reverse("notifications:index"),
            "preferences_url": site + reverse("notifications:preferences"),
        }
        text = get_template("notifications/email/digest.txt").render(context)
        html = get_template("notifications/email/digest.html").render(context)
        self.text = text.split(self.MARK, 1)
        self.html = html.split(self.MARK, 1)
        self.frequency = frequency
        self.site = site
        # Translated once: lazy labels cost as much to render as the rest of the list.
        self.labels = _kind_labels()
        self.no_cohort = _("Across the platform")

    def message(self, *, email: str, rows: list[dict]) -> EmailMultiAlternatives:
        text: list[str] = []
        html: list[str] = []
        shown = rows
        if len(rows) > MAIL_ITEMS:
            # A long week stays readable: the newest ones, and the rest on the site.
            shown = sorted(rows, key=lambda r: r["created_at"], reverse=True)[:MAIL_ITEMS]
        for cohort, kinds in _groups(shown, labels=self.labels, no_cohort=self.no_cohort):
            text.append(f"\n{_wrap(f'== {cohort} ==')}\n")
            html.append(f"<h2>{_wrap(escape(cohort), HTML_WIDTH)}</h2>\n")
            for label, items in kinds:
                text.append(f"\n{label}\n")
                html.append(f"<h3>{escape(label)}</h3>\n<ul>\n")
                for item in items:
                    link = self.site + item["url"]
                    text.append(f"{_wrap('- ' + item['title'])}\n  {link}\n")
                    title = _wrap(escape(item["title"]), HTML_WIDTH)
                    html.append(f'<li><a\nhref="{escape(link)}"\n>{title}</a></li>\n')
                html.append("</ul>\n")
        if hidden := len(rows) - len(shown):
            more = ngettext(
                "… and %(count)s more notification on the site.",
                "… and %(count)s more notifications on the site.",
                hidden,
            ) % {"count": hidden}
            text.append(f"\n{_wrap(more)}\n")
            html.append(f"<p>{_wrap(escape(more), HTML_WIDTH)}</p>\n")
        message = EmailMultiAlternatives(
            subject=_subject(self.frequency, rows),
            body=self.text[0] + "".join(text) + self.text[1],
            to=[email],
        )
        message.attach_alternative(self.html[0] + "".join(html) + self.html[1], "text/html")
        return message


# Lines of at most 78 bytes let the mail go as 8bit text: one line longer, and Python's
# email package encodes the whole part in quoted-printable, a fifth slower to build.
TEXT_WIDTH = 76
HTML_WIDTH = 64  # room for the markup around the text


def _wrap(line: str, width: int = TEXT_WIDTH) -> str:
    """Fold a line on spaces into lines of at most `width` bytes (accented letters take
    two); a word longer than that (a URL) stays whole."""
    if len(line.encode()) <= width:
        return line
    chars = width
    while True:
        folded = textwrap.fill(
            line, chars, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
        )
        if chars <= 40 or all(len(part.encode()) <= width for part in folded.split("\n")):
            return folded
        chars -= 6


def _connection():
    """One connection of the default mailer for a whole run (Django 6.1's MAILERS; the
    same as the deprecated get_connection())."""
    return mailers.default


def _send_pending(
    *, frequency: str, now: datetime.datetime, user_ids: list[int] | None, processes: int = 1
) -> int:
    pending = Notification.objects.pending_mail().filter(
        recipient__is_active=True, recipient__deleted_at__isnull=True
    )
    if user_ids is not None:
        pending = pending.filter(recipient_id__in=user_ids)
    people = sorted(
        set(pending.filter(_people_q(frequency)).values_list("recipient_id", flat=True))
    )
    if not people:
        return 0
    chunks = [people[start : start + CHUNK] for start in range(0, len(people), CHUNK)]
    with translation.override(settings.LANGUAGE_CODE):
        layout = _Layout(frequency=frequency, site=settings.SITE_URL.rstrip("/"))
        if processes > 1 and len(chunks) > 1:
            return _send_in_processes(
                chunks=chunks, pending=pending, now=now, layout=layout, processes=processes
            )
        sent = 0
        connection = _connection()
        connection.open()
        try:
            for chunk in chunks:
                claimed = _claim(people=chunk, pending=pending, now=now, layout=layout)
                if claimed is None:
                    continue
                ids, messages = claimed
                try:
                    sent += connection.send_messages(messages) or 0
                except Exception:
                    _give_back(ids=ids, now=now)
                    raise
        finally:
            connection.close()
    return sent


def _claim(*, people: list[int], pending, now, layout: _Layout):
    """Mark the people's pending notifications e-mailed (committed) and return their ids
    with the mails to send; None when another run claimed them first. Claiming before
    sending means a crash can lose a batch but never send it twice."""
    with transaction.atomic():
        ids = list(
            pending.filter(recipient_id__in=people)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        if not ids:
            return None
        Notification.objects.filter(pk__in=ids).update(emailed_at=now)
    rows = list(
        Notification.objects.filter(pk__in=ids)
        .order_by("recipient_id")
        .values(
            "recipient_id", "recipient__email", "kind", "title", "url", "created_at",
            "cohort__name",
        )
    )
    messages = []
    for _pk, group in itertools.groupby(rows, key=lambda r: r["recipient_id"]):
        person_rows: list[dict[str, Any]] = list(group)  # type: ignore[arg-type]
        messages.append(layout.message(email=person_rows[0]["recipient__email"], rows=person_rows))
    return ids, messages


def _give_back(*, ids: list[int], now: datetime.datetime) -> None:
    # The SMTP server refused the batch: the next run retries it.
    Notification.objects.filter(pk__in=ids, emailed_at=now).update(emailed_at=None)


def _send_in_processes(*, chunks, pending, now, layout: _Layout, processes: int) -> int:
    """Claim batch after batch here while worker processes send the previous ones; at
    most two batches per worker wait, so a crash loses little."""
    import collections
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from . import delivery

    sent = 0
    errors: list[BaseException] = []
    waiting: collections.deque = collections.deque()

    def collect() -> None:
        nonlocal sent
        future, ids = waiting.popleft()
        try:
            sent += future.result()
        except Exception as error:
            _give_back(ids=ids, now=now)
            errors.append(error)

    with ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("spawn"),
        initializer=delivery.worker_init,
    ) as pool:
        for chunk in chunks:
            claimed = _claim(people=chunk, pending=pending, now=now, layout=layout)
            if claimed is not None:
                ids, messages = claimed
                waiting.append((pool.submit(delivery.deliver, messages), ids))
            while len(waiting) > 2 * processes:
                collect()
        while waiting:
            collect()
    if errors:
        raise errors[0]
    return sent


def digest_send(*, frequency: str, now: datetime.datetime, processes: int = 1) -> int:
    """Mail every person whose preference is `frequency` one message with their
    notifications not yet e-mailed (nor read); returns the number of mails sent.

    Idempotent: what was e-mailed is marked, so a second run sends nothing. With
    `processes` > 1 the mails are built and sent by that many spawned worker processes
    (see delivery.py; the scheduled digests use DIGEST_PROCESSES).
    """
    if frequency not in (DigestFrequency.DAILY, DigestFrequency.WEEKLY, DigestFrequency.IMMEDIATE):
        raise ValueError(f"unknown digest frequency: {frequency!r}")
    return _send_pending(frequency=frequency, now=now, user_ids=None, processes=processes)


def immediate_send(*, user_ids: list[int] | None, now: datetime.datetime) -> int:
    """Mail the pending notifications of these people who chose immediate mails (all of
    them when `user_ids` is None: the scheduler's safety net)."""
    return _send_pending(frequency=DigestFrequency.IMMEDIATE, now=now, user_ids=user_ids)


# ---------------------------------------------------------------------------------------
# Reminders


def _remind(*, kind: str, object_id: int, user_ids: list[int], title: str, url: str,
            cohort_id: int, now: datetime.datetime) -> int:
    """Notify the people not reminded yet of this object; the log makes it once."""
    done = set(
        ReminderSent.objects.filter(kind=kind, object_id=object_id, user_id__in=user_ids)
        .values_list("user_id", flat=True)
    )
    todo = [pk for pk in user_ids if pk not in done]
    if not todo:
        return 0
    try:
        with transaction.atomic():
            ReminderSent.objects.bulk_create(
                ReminderSent(kind=kind, object_id=object_id, user_id=pk, sent_at=now)
                for pk in todo
            )
            return notify(
                recipients=User.objects.filter(pk__in=todo), kind=kind, title=title, url=url,
                cohort=Cohort(pk=cohort_id),
            )
    except IntegrityError:
        # Another run reminded them at the same moment: theirs counts.
        return 0


def _session_people(session: Session) -> list[int]:
    """Who may attend: the registered people; if nobody registered, every member of the
    cohort with a registering role (participants, speakers, animateurs — not observers)."""
    registered = list(
        Registration.objects.filter(session=session).values_list("user_id", flat=True)
    )
    if registered:
        return registered
    return list(
        CohortMember.objects.filter(cohort_id=session.cohort_id, role__in=REGISTERING_ROLES)
        .values_list("user_id", flat=True)
    )


def reminders_send(*, now: datetime.datetime) -> int:
    """Remind, once each, of the sessions that start within the next 24 hours (real hours,
    whatever the summer/winter time change) and of the assignments due within the next
    3 days (calendar days in Europe/Paris, today included) and not handed in.

    Returns the number of notifications made.
    """
    made = 0
    # In UTC: an aware datetime in Europe/Paris plus 24 hours is 24 wall-clock hours,
    # 23 or 25 real ones the night the clocks change.
    now = now.astimezone(datetime.UTC)
    with translation.override(settings.LANGUAGE_CODE):
        sessions = Session.objects.filter(
            start__gt=now, start__lte=now + SESSION_REMINDER_BEFORE
        ).select_related("cohort")
        for session in sessions:
            start = timezone.localtime(session.start, PARIS)
            title = _("Reminder: “%(title)s” on %(date)s at %(time)s (%(cohort)s)") % {
                "title": session.title,
                "date": date_format(start, "l j F"),
                "time": date_format(start, "H:i"),
                "cohort": session.cohort.name,
            }
            made += _remind(
                kind=NotificationKind.REMINDER_SESSION, object_id=session.pk,
                user_ids=_session_people(session), title=title,
                url=reverse("journeys:cohort", args=[session.cohort.slug]),
                cohort_id=session.cohort_id, now=now,
            )
        today = timezone.localtime(now, PARIS).date()
        assignments = Assignment.objects.filter(
            due__gte=today, due__lte=today + datetime.timedelta(days=DUE_REMINDER_DAYS)
        ).select_related("cohort")
        for assignment in assignments:
            handed_in = Submission.objects.filter(
                assignment=assignment, user=OuterRef("user"),
                status__in=[SubmissionStatus.RENDU, SubmissionStatus.VALIDE],
            )
            people = list(
                CohortMember.objects.filter(
                    cohort_id=assignment.cohort_id, role=CohortRole.PARTICIPANT
                )
                .filter(~Exists(handed_in))
                .values_list("user_id", flat=True)
            )
            title = _("Reminder: “%(title)s” is due on %(date)s (%(cohort)s)") % {
                "title": assignment.title,
                "date": date_format(assignment.due, "l j F"),
                "cohort": assignment.cohort.name,
            }
            made += _remind(
                kind=NotificationKind.REMINDER_DUE, object_id=assignment.pk, user_ids=people,
                title=title, url=reverse("journeys:cohort", args=[assignment.cohort.slug]),
                cohort_id=assignment.cohort_id, now=now,
            )
    return made
