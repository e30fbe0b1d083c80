"""The notifications pages and the header link: owner only, bad input, query locks."""

import pytest
from django.urls import reverse

from alliances.notifications.models import DigestPreference, Notification, NotificationKind
from alliances.notifications.services import digest_preference_set, notify

pytestmark = pytest.mark.django_db

INDEX = reverse("notifications:index")
PREFERENCES = reverse("notifications:preferences")
MARK_ALL = reverse("notifications:mark_all_read")


def _notify(user, title="Paul a répondu dans « Budget »", url="/parcours/", cohort=None):
    notify(recipients=[user], kind=NotificationKind.REPLY, title=title, url=url, cohort=cohort)
    return Notification.objects.filter(recipient=user).order_by("-pk").first()


@pytest.fixture
def note(participant, cohort):
    return _notify(participant, cohort=cohort)


PERSONAS = ["outsider", "other_participant", "intervenant", "animateur", "admin"]


@pytest.mark.parametrize("url", [INDEX, PREFERENCES])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_anonymous_cannot_follow_or_mark(client, note):
    assert client.get(reverse("notifications:open", args=[note.pk])).status_code == 302
    assert client.post(MARK_ALL).status_code == 302
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize("persona", PERSONAS)
def test_nobody_else_follows_or_sees_a_notification(client, request, note, other_cohort, persona):
    someone = request.getfixturevalue(persona)
    client.force_login(someone)

    assert client.get(reverse("notifications:open", args=[note.pk])).status_code == 404
    page = client.get(INDEX)
    assert page.status_code == 200
    assert note.title not in page.content.decode()
    client.post(MARK_ALL)
    note.refresh_from_db()
    assert note.read_at is None


def test_the_owner_sees_follows_and_marks_read(client, participant, note):
    client.force_login(participant)
    page = client.get(INDEX).content.decode()
    assert note.title.replace("«", "&laquo;") in page or note.title in page
    assert "notification-unread" in page

    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302
    assert response.url == "/parcours/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert "notification-unread" not in client.get(INDEX).content.decode()


def test_mark_all_read_only_touches_ones_own(client, participant, outsider):
    mine = [_notify(participant, title=f"N{i}") for i in range(3)]
    theirs = _notify(outsider)
    client.force_login(participant)

    assert client.get(MARK_ALL).status_code == 405
    response = client.post(MARK_ALL)
    assert response.status_code == 302
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_list_is_newest_first_and_paginated(client, participant):
    for i in range(35):
        _notify(participant, title=f"Notification numéro {i:02d}")
    client.force_login(participant)
    first = client.get(INDEX).content.decode()
    assert first.index("numéro 34") < first.index("numéro 33")
    assert "numéro 04" not in first
    second = client.get(INDEX, {"page": 2}).content.decode()
    assert "numéro 04" in second and "numéro 34" not in second
    assert client.get(INDEX, {"page": "abc"}).status_code == 200


def test_the_list_query_count_does_not_grow(client, participant, cohort, other_cohort,
                                            django_assert_max_num_queries):
    for i in range(30):
        _notify(participant, title=f"N{i}", cohort=cohort if i % 2 else other_cohort)
    client.force_login(participant)
    # session, user, count, page, unread count, preference, header count (+ messages).
    with django_assert_max_num_queries(7):
        assert client.get(INDEX).status_code == 200


def test_preferences_page_saves_a_frequency(client, participant, django_assert_max_num_queries):
    client.force_login(participant)
    with django_assert_max_num_queries(5):
        page = client.get(PREFERENCES)
    assert 'value="daily" ' in page.content.decode() and "checked" in page.content.decode()

    response = client.post(PREFERENCES, {"frequency": "weekly"})
    assert response.status_code == 302
    assert DigestPreference.objects.get(user=participant).frequency == "weekly"


@pytest.mark.parametrize("data", [{"frequency": "hourly"}, {}])
def test_preferences_refuse_bad_input(client, participant, data):
    digest_preference_set(user=participant, frequency="never")
    client.force_login(participant)
    response = client.post(PREFERENCES, data)
    assert response.status_code == 200
    assert response.context["form"].errors["frequency"]
    body = response.content.decode()
    assert 'class="error-summary"' in body and 'aria-invalid="true"' in body
    assert DigestPreference.objects.get(user=participant).frequency == "never"


def test_bad_input_is_reported_in_french(client, participant):
    client.force_login(participant)
    response = client.post(PREFERENCES, {"frequency": "hourly"})
    # Django's own message, from its French catalogue.
    assert "Sélectionnez un choix valide" in response.context["form"].errors["frequency"][0]


def test_a_notification_pointing_off_the_site_is_never_followed(client, participant):
    note = _notify(participant)
    Notification.objects.filter(pk=note.pk).update(url="https://evil.example/")
    client.force_login(participant)
    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response.url == INDEX


# The header ------------------------------------------------------------------------------


def test_the_header_shows_the_unread_count_to_eyes_and_screen_readers(client, participant):
    for i in range(3):
        _notify(participant, title=f"N{i}")
    client.force_login(participant)
    body = client.get(reverse("core:home")).content.decode()
    assert f'href="{INDEX}"' in body
    assert '<span class="badge notifications-count" aria-hidden="true">3</span>' in body
    assert '<span class="visually-hidden">' in body


def test_no_count_when_everything_is_read(client, participant):
    client.force_login(participant)
    body = client.get(reverse("core:home")).content.decode()
    assert f'href="{INDEX}"' in body
    assert "notifications-count" not in body


def test_the_header_costs_one_query_and_none_for_anonymous(
    client, participant, django_assert_num_queries
):
    from django.template import Context, Template
    from django.test import RequestFactory

    from alliances.accounts.models import User

    template = Template("{% load notifications_tags %}{% notifications_header %}")
    request = RequestFactory().get("/")
    with django_assert_num_queries(1):
        html = template.render(Context({"user": participant, "request": request}))
    assert "Notifications" in html or INDEX in html

    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        assert template.render(Context({"user": AnonymousUser()})).strip() == ""
    assert User.objects.exists()
