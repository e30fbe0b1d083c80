"""Big digests in worker processes: real SMTP to a sink on 127.0.0.1 (the workers are
other processes: Django's in-memory outbox cannot see their mails)."""

import socket

import pytest

from alliances.accounts.services import user_create
from alliances.notifications import services
from alliances.notifications.models import Notification, NotificationKind
from alliances.notifications.services import digest_send, notify
from alliances.notifications.tests.test_services import NOW
from bench.digest import SmtpSink

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(password):
    people = [user_create(email=f"p{n}@example.org", password=None) for n in range(12)]
    for n in range(2):
        notify(recipients=people, kind=NotificationKind.REPLY, title=f"Réponse {n}",
               url="/parcours/")
    return people


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(services, "CHUNK", 5)  # three batches for twelve people


def test_worker_processes_send_one_mail_per_person(people, small_batches, monkeypatch):
    sink = SmtpSink()
    try:
        monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{sink.port}")
        assert digest_send(frequency="daily", now=NOW, processes=2) == 12
    finally:
        sink.stop()
    assert sink.messages == 12
    assert sink.connections == 3  # one per batch
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert digest_send(frequency="daily", now=NOW, processes=2) == 0


def test_a_refused_batch_in_a_worker_is_given_back(people, small_batches, monkeypatch):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{port}")
    with pytest.raises(OSError):
        digest_send(frequency="daily", now=NOW, processes=2)
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()
