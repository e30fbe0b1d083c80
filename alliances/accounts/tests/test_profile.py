import pytest
from django.urls import reverse

from alliances.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["accounts:profile", "accounts:profile_edit", "accounts:delete"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_profile_shows_my_account_and_organisations(
    client, participant, commune, membership, django_assert_max_num_queries
):
    participant.home_commune = commune
    participant.save()
    client.force_login(participant)
    with django_assert_max_num_queries(6):  # session, user, memberships, commune, unread,
        # one's contributions to the resource centre
        response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Paul Participant" in html
    assert "participant@example.org" in html
    assert "Paris (75056)" in html
    assert f'href="{membership.organisation.get_absolute_url()}"' in html
    assert "Maison des associations" in html
    assert "Coordinatrice" in html
    assert reverse("accounts:profile_edit") in html
    assert reverse("accounts:data_export") in html
    assert reverse("accounts:delete") in html
    for name in ("notifications:preferences", "journeys:calendars", "codev:my_plans"):
        assert reverse(name) in html


def test_profile_query_count_does_not_grow_with_organisations(
    client, participant, organisation, django_assert_max_num_queries
):
    from alliances.actors.models import Membership, Organisation

    for index in range(5):
        other = Organisation.objects.create(name=f"Asso {index}", type="association")
        Membership.objects.create(user=participant, organisation=other)
    client.force_login(participant)
    with django_assert_max_num_queries(5):  # + the header's unread count, the contributions
        response = client.get(reverse("accounts:profile"))
    assert response.content.decode().count('class="meta"') == 5


def test_profile_shows_only_my_own_data(client, participant, outsider, membership):
    client.force_login(outsider)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Olga Outsider" in html
    assert "Paul Participant" not in html
    assert "Maison des associations" not in html


def test_profile_edit_saves_name_and_commune(client, participant, commune):
    client.force_login(participant)
    assert client.get(reverse("accounts:profile_edit")).status_code == 200
    response = client.post(
        reverse("accounts:profile_edit"),
        {"display_name": "  Paule P.  ", "home_commune": "75056", "role": "admin"},
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    participant.refresh_from_db()
    assert participant.display_name == "Paule P."
    assert participant.home_commune == commune
    assert participant.role == User.Role.PARTICIPANT  # not editable by the person


def test_profile_edit_clears_the_commune(client, participant, commune):
    participant.home_commune = commune
    participant.save()
    client.force_login(participant)
    client.post(reverse("accounts:profile_edit"), {"display_name": "P", "home_commune": ""})
    participant.refresh_from_db()
    assert participant.home_commune is None


@pytest.mark.parametrize(
    ("code", "message"),
    [("99999", "No commune has the INSEE code"), ("Paris", "has 5 characters")],
)
def test_profile_edit_rejects_a_bad_commune_code(client, participant, commune, code, message):
    client.force_login(participant)
    response = client.post(
        reverse("accounts:profile_edit"),
        {"display_name": "Changed", "home_commune": code},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'id="id_home_commune_error"' in html
    assert 'aria-invalid="true"' in html
    assert "aria-describedby=\"id_home_commune_helptext id_home_commune_error\"" in html
    participant.refresh_from_db()
    assert participant.display_name == "Paul Participant"
    assert participant.home_commune is None


def test_error_summary_links_to_the_field_in_error(client, participant, commune):
    client.force_login(participant)
    html = client.post(
        reverse("accounts:profile_edit"), {"display_name": "X", "home_commune": "99999"}
    ).content.decode()
    assert 'role="alert"' in html
    assert '<a href="#id_home_commune">' in html
