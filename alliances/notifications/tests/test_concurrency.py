"""Two digest runs at once (the scheduler's task and a cron `alliances digest`): each
person still gets one mail, thanks to the claimed rows (FOR UPDATE SKIP LOCKED)."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from alliances.accounts.services import user_create
from alliances.journeys.models import Assignment
from alliances.notifications import services
from alliances.notifications.models import Notification, NotificationKind
from alliances.notifications.services import digest_send, notify, reminders_send

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers by itself"
    ),
]


def test_two_digest_runs_at_once_send_each_mail_once(monkeypatch):
    people = [user_create(email=f"p{n}@example.org", password=None) for n in range(40)]
    for n in range(3):
        notify(recipients=people, kind=NotificationKind.REPLY, title=f"Réponse {n}",
               url="/parcours/")
    monkeypatch.setattr(services, "CHUNK", 5)
    barrier = threading.Barrier(2)
    sent: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            sent.append(digest_send(frequency="daily", now=timezone.now()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # A person's rows may be split between the runs only if they were claimed apart,
    # which a single claim per chunk rules out: one mail each, every row once.
    assert sum(sent) == len(mail.outbox)
    recipients = [m.to[0] for m in mail.outbox]
    assert sorted(recipients) == sorted(p.email for p in people)
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_two_reminder_runs_at_once_remind_once(cohort, participant):
    assignment = Assignment.objects.filter(cohort=cohort).earliest("due")
    now = datetime.datetime.combine(assignment.due, datetime.time(8), ZoneInfo("Europe/Paris"))
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            reminders_send(now=now)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Notification.objects.filter(
        kind=NotificationKind.REMINDER_DUE, recipient=participant, title__contains=assignment.title
    ).count() == 1
