"""notify(), the digests and the immediate mails."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from alliances.accounts.services import user_create, user_delete
from alliances.notifications import services
from alliances.notifications.models import (
    DigestFrequency,
    DigestPreference,
    Notification,
    NotificationKind,
)
from alliances.notifications.selectors import digest_frequency_of
from alliances.notifications.services import (
    digest_preference_set,
    digest_send,
    immediate_send,
    notify,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2027, 3, 1, 7, 0, tzinfo=PARIS)


def _notify(recipients, **kwargs):
    values = {"kind": NotificationKind.REPLY, "title": "Paul a répondu", "url": "/parcours/"}
    return notify(recipients=recipients, **(values | kwargs))


# notify ---------------------------------------------------------------------------------


def test_notify_makes_one_per_recipient_without_the_actor_nor_duplicates(
    participant, intervenant, animateur, cohort
):
    count = _notify(
        [participant, intervenant, participant, animateur], actor=animateur, cohort=cohort
    )

    assert count == 2
    rows = Notification.objects.order_by("recipient__email")
    assert [(n.recipient, n.actor, n.cohort) for n in rows] == [
        (intervenant, animateur, cohort),
        (participant, animateur, cohort),
    ]
    assert all(n.read_at is None and n.emailed_at is None for n in rows)


def test_notify_skips_inactive_accounts_and_accepts_a_queryset(participant, outsider):
    outsider.is_active = False
    outsider.save()
    from alliances.accounts.models import User

    assert _notify(User.objects.filter(pk__in=[participant.pk, outsider.pk])) == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [participant.pk]


def test_notify_truncates_long_titles(participant):
    _notify([participant], title="x" * 400)
    assert len(Notification.objects.get().title) == 300


@pytest.mark.parametrize(
    "bad", [{"kind": "spam"}, {"url": "https://evil.example/"}, {"url": "//evil.example/"}]
)
def test_notify_refuses_an_unknown_kind_or_a_url_off_the_site(participant, bad):
    with pytest.raises(ValueError):
        _notify([participant], **bad)
    assert not Notification.objects.exists()


def test_notify_with_nobody_makes_nothing(participant):
    assert _notify([participant], actor=participant) == 0
    assert _notify([]) == 0


def test_kinds_cover_what_the_other_apps_send():
    assert {"mention", "reply", "thread", "reminder_session", "reminder_due", "invitation",
            "codev"} <= set(NotificationKind.values)


def test_immediate_people_get_one_task_on_commit(
    participant, intervenant, outsider, immediate_tasks, django_capture_on_commit_callbacks
):
    digest_preference_set(user=participant, frequency=DigestFrequency.IMMEDIATE)
    digest_preference_set(user=intervenant, frequency=DigestFrequency.IMMEDIATE)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify([participant, intervenant, outsider], title="Nouveau fil « Budget »")
    assert len(callbacks) == 1  # one task for the batch
    assert mail.outbox == []

    callbacks[0]()
    assert sorted(m.to[0] for m in mail.outbox) == [intervenant.email, participant.email]
    assert mail.outbox[0].subject == "[Alliances] Nouveau fil « Budget »"
    # The daily person waits for the digest.
    assert Notification.objects.get(recipient=outsider).emailed_at is None


def test_no_task_when_nobody_wants_immediate_mails(
    participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify([participant])
    assert callbacks == []


# preferences ------------------------------------------------------------------------------


def test_the_default_preference_is_daily(participant):
    assert digest_frequency_of(participant) == DigestFrequency.DAILY
    digest_preference_set(user=participant, frequency="weekly")
    digest_preference_set(user=participant, frequency="never")
    assert DigestPreference.objects.get(user=participant).frequency == "never"


def test_an_unknown_frequency_is_refused(participant):
    with pytest.raises(ValidationError) as error:
        digest_preference_set(user=participant, frequency="hourly")
    assert "frequency" in error.value.message_dict
    assert not DigestPreference.objects.exists()
    with pytest.raises(ValueError):
        digest_send(frequency="hourly", now=NOW)
    with pytest.raises(ValueError):
        digest_send(frequency="never", now=NOW)


# digests ----------------------------------------------------------------------------------


def test_the_daily_digest_groups_by_cohort_then_kind_with_absolute_links(
    participant, animateur, cohort, other_cohort, site_url
):
    _notify([participant], title="Réponse A", url="/a/", cohort=cohort)
    _notify([participant], title="Mention B", url="/b/", cohort=cohort,
            kind=NotificationKind.MENTION)
    _notify([participant], title="Réponse C", url="/c/", cohort=other_cohort)
    _notify([participant], title="Invitation D", url="/d/", kind=NotificationKind.INVITATION)
    _notify([animateur], title="Pour l'animateur", url="/e/", cohort=cohort)

    assert digest_send(frequency="daily", now=NOW) == 2

    message = next(m for m in mail.outbox if m.to == [participant.email])
    text = message.body
    # Cohorts in alphabetical order, the platform-wide ones last.
    assert text.index("Autre promotion") < text.index("Promotion test") < text.index(
        "Invitation D"
    )
    section = text[text.index("Promotion test"):]
    assert section.index("Mention B") < section.index("Réponse A")  # kinds grouped
    assert f"{site_url}/a/" in text
    assert isinstance(message, EmailMultiAlternatives)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert isinstance(html, str)
    assert f'<a\nhref="{site_url}/b/"\n>Mention B</a>' in html
    assert "Pour l&#x27;animateur" not in html and "Pour l'animateur" not in text
    assert f"{site_url}/notifications/preferences/" in text
    other = next(m for m in mail.outbox if m.to == [animateur.email])
    assert "Pour l'animateur" in other.body and "Réponse A" not in other.body


def test_the_digest_is_idempotent_and_marks_what_it_sent(participant):
    _notify([participant], title="Un")
    _notify([participant], title="Deux")

    assert digest_send(frequency="daily", now=NOW) == 1
    assert digest_send(frequency="daily", now=NOW) == 0
    assert len(mail.outbox) == 1
    assert set(Notification.objects.values_list("emailed_at", flat=True)) == {NOW}

    _notify([participant], title="Trois")
    assert digest_send(frequency="daily", now=NOW + datetime.timedelta(days=1)) == 1
    assert "Trois" in mail.outbox[1].body and "Un" not in mail.outbox[1].body


def test_each_frequency_mails_only_its_people(participant, intervenant, outsider, animateur):
    digest_preference_set(user=intervenant, frequency="weekly")
    digest_preference_set(user=outsider, frequency="never")
    digest_preference_set(user=animateur, frequency="daily")
    _notify([participant, intervenant, outsider, animateur])

    assert digest_send(frequency="daily", now=NOW) == 2
    assert sorted(m.to[0] for m in mail.outbox) == [animateur.email, participant.email]
    assert digest_send(frequency="weekly", now=NOW) == 1
    assert mail.outbox[-1].to == [intervenant.email]
    assert Notification.objects.get(recipient=outsider).emailed_at is None


def test_read_notifications_are_not_mailed(participant):
    _notify([participant], title="Lue")
    services.notifications_mark_all_read(user=participant)
    assert digest_send(frequency="daily", now=NOW) == 0


def test_a_refused_batch_is_given_back_to_the_next_run(participant, monkeypatch):
    _notify([participant])

    class Broken:
        def open(self):
            pass

        def close(self):
            pass

        def send_messages(self, messages):
            raise OSError("SMTP down")

    monkeypatch.setattr(services, "_connection", Broken)
    with pytest.raises(OSError):
        digest_send(frequency="daily", now=NOW)
    assert Notification.objects.get().emailed_at is None

    monkeypatch.undo()
    assert digest_send(frequency="daily", now=NOW) == 1


def test_batches_share_one_connection(participant, monkeypatch, password):
    people = [
        user_create(email=f"p{i}@example.org", password=password) for i in range(5)
    ]
    _notify(people)
    monkeypatch.setattr(services, "CHUNK", 2)
    opened = []
    real = services._connection

    def counting(*args, **kwargs):
        connection = real(*args, **kwargs)
        opened.append(connection)
        return connection

    monkeypatch.setattr(services, "_connection", counting)
    assert digest_send(frequency="daily", now=NOW) == 5
    assert len(opened) == 1


def test_the_immediate_safety_net_sends_to_all_immediate_people(participant, outsider):
    digest_preference_set(user=participant, frequency="immediate")
    _notify([participant, outsider])
    assert immediate_send(user_ids=None, now=timezone.now()) == 1
    assert mail.outbox[0].to == [participant.email]


def test_deleted_accounts_get_no_mail(participant):
    _notify([participant])
    participant.deleted_at = timezone.now()
    participant.save()
    assert digest_send(frequency="daily", now=NOW) == 0


def test_the_digest_is_in_french(participant, cohort):
    """Needs the catalogue entries of this app (the lead fills alliances/locale/)."""
    _notify([participant], cohort=cohort, kind=NotificationKind.MENTION)
    digest_send(frequency="daily", now=NOW)
    message = mail.outbox[0]
    assert message.subject == "[Alliances] Vos notifications du jour (1)"
    assert "Mention" in message.body
    assert "Toutes vos notifications" in message.body


def test_the_data_export_holds_ones_notifications_and_preference(participant, outsider):
    from alliances.accounts.gdpr import user_export

    digest_preference_set(user=participant, frequency="weekly")
    _notify([participant], title="À moi")
    _notify([outsider], title="Pas à moi")

    data = user_export(participant)["notifications"]
    assert data["email_frequency"] == "weekly"
    assert [n["title"] for n in data["notifications"]] == ["À moi"]


def test_a_long_digest_lists_the_newest_and_counts_the_rest(participant, monkeypatch):
    monkeypatch.setattr(services, "MAIL_ITEMS", 3)
    start = timezone.now()
    for n in range(5):
        with time_machine.travel(start + datetime.timedelta(minutes=n), tick=False):
            _notify([participant], title=f"Numéro {n}")

    assert digest_send(frequency="daily", now=NOW) == 1
    body = mail.outbox[0].body
    assert "Numéro 4" in body and "Numéro 2" in body and "Numéro 1" not in body
    assert "2 more notifications" in body or "2 autres notifications" in body
    # Every one of them was e-mailed, listed or counted.
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_mails_go_as_8bit_text_even_with_long_titles(participant, cohort, site_url):
    long_title = "Antoine a répondu dans « " + "Diagnostic partagé du territoire " * 6 + "»"
    _notify([participant], title=long_title, cohort=cohort)
    _notify([participant], title="Court")
    digest_send(frequency="daily", now=NOW)

    raw = mail.outbox[0].message().as_bytes()
    assert raw.count(b"Content-Transfer-Encoding: 8bit") == 2
    assert b"quoted-printable" not in raw
    assert all(len(line) <= 78 for line in mail.outbox[0].body.splitlines())
    # The title is folded, not cut.
    assert " ".join(mail.outbox[0].body.split()).count("Diagnostic partagé du territoire") == 6


def test_deleting_the_account_deletes_its_notifications_and_preference(participant, outsider):
    _notify([participant, outsider])
    digest_preference_set(user=participant, frequency=DigestFrequency.WEEKLY)

    user_delete(user=participant)

    assert not Notification.objects.filter(recipient=participant).exists()
    assert not DigestPreference.objects.filter(user=participant).exists()
    assert Notification.objects.filter(recipient=outsider).count() == 1
