"""Who may do what with an alliance: admin, member of a partner organisation, member of
another organisation, signed in without organisation, anonymous — on a public and on a
private alliance. A private alliance is not found (404) by whoever may not see it; a
visible one that the person may not change answers 403; anonymous people are sent to sign
in."""

import pytest
from django.urls import URLPattern, reverse

from alliances.partnerships import urls as partnership_urls
from alliances.partnerships.models import Alliance, FollowUpNote, IndicatorValue

from .alliance_fixtures import *  # noqa: F403
from .alliance_fixtures import form_data, prefixed

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "partner_member", "other_member", "no_organisation", "anonymous"]
MINE = {"index", "create", "detail", "edit", "delete", "note_add", "indicator_add"}


@pytest.fixture
def who(request, admin, participant, analyste, outsider, other_organisation, client):
    users = {"admin": admin, "partner_member": participant, "other_member": analyste,
             "no_organisation": outsider, "anonymous": None}

    def login(persona: str):
        if users[persona] is not None:
            client.force_login(users[persona])
        return client

    return login


def test_every_route_of_mine_is_in_this_matrix():
    names = {p.name for p in partnership_urls.urlpatterns if isinstance(p, URLPattern)}
    others = {"network", "network_data", "map", "map_data", "matrix"}
    assert names - others == MINE


# (persona) → (list shows the private alliance, private detail, create, edit, delete,
# note, indicator): status codes for the private alliance.
EXPECTED = {
    "admin": (True, 200, 200, 200, 200, 302, 302),
    "partner_member": (True, 200, 200, 200, 200, 302, 302),
    "other_member": (False, 404, 200, 404, 404, 404, 404),
    "no_organisation": (False, 404, 403, 404, 404, 404, 404),
    "anonymous": (False, 404, 302, 302, 302, 302, 302),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_private_alliance_matrix(who, persona, private_alliance, public_alliance):
    client = who(persona)
    listed, detail, create, edit, delete, note, indicator = EXPECTED[persona]
    html = client.get("/alliances/").content.decode()
    assert public_alliance.title in html
    assert (private_alliance.title in html) is listed
    pk = private_alliance.pk
    assert client.get(f"/alliances/{pk}/").status_code == detail
    assert client.get("/alliances/nouvelle/").status_code == create
    assert client.get(f"/alliances/{pk}/modifier/").status_code == edit
    assert client.get(f"/alliances/{pk}/supprimer/").status_code == delete
    response = client.post(f"/alliances/{pk}/suivi/note/",
                           prefixed("note", {"date": "2025-01-10", "text": "Vu"}))
    assert response.status_code == note
    response = client.post(f"/alliances/{pk}/suivi/indicateur/",
                           prefixed("indicator", {"kind": "benevoles", "date": "2025-01-10",
                                                  "value": "4"}))
    assert response.status_code == indicator
    allowed = persona in ("admin", "partner_member")
    assert FollowUpNote.objects.filter(alliance=private_alliance).exists() is allowed
    assert IndicatorValue.objects.filter(alliance=private_alliance).exists() is allowed
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_public_alliance_matrix(who, persona, public_alliance):
    client = who(persona)
    pk = public_alliance.pk
    may_change = persona in ("admin", "partner_member")
    signed_in = persona != "anonymous"
    assert client.get(f"/alliances/{pk}/").status_code == 200
    html = client.get(f"/alliances/{pk}/").content.decode()
    assert (f"/alliances/{pk}/modifier/" in html) is may_change
    assert (f"/alliances/{pk}/suivi/note/" in html) is may_change
    expected = 200 if may_change else (403 if signed_in else 302)
    assert client.get(f"/alliances/{pk}/modifier/").status_code == expected
    assert client.get(f"/alliances/{pk}/supprimer/").status_code == expected
    assert client.post(f"/alliances/{pk}/supprimer/").status_code == (
        302 if may_change or not signed_in else 403
    )
    assert Alliance.objects.filter(pk=pk).exists() is not may_change


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_post_a_new_alliance(who, persona, organisation, company):
    client = who(persona)
    data = form_data([(str(organisation.pk), "porteur"), (str(company.pk), "partenaire")])
    response = client.post("/alliances/nouvelle/", data)
    made = persona in ("admin", "partner_member")
    # The member of another organisation may create alliances, but only with their own:
    # here neither partner is theirs, so the form refuses it.
    expected = {"admin": 302, "partner_member": 302, "other_member": 200,
                "no_organisation": 403, "anonymous": 302}[persona]
    assert response.status_code == expected
    assert Alliance.objects.exists() is made


@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_post_is_refused_to_others(who, persona, public_alliance, organisation, company):
    client = who(persona)
    data = form_data([(str(organisation.pk), "porteur"), (str(company.pk), "partenaire")],
                     title="Piraté")
    client.post(f"/alliances/{public_alliance.pk}/modifier/", data)
    public_alliance.refresh_from_db()
    assert (public_alliance.title == "Piraté") is (persona in ("admin", "partner_member"))


def test_get_is_refused_on_followup_posts(client, participant, public_alliance):
    client.force_login(participant)
    assert client.get(f"/alliances/{public_alliance.pk}/suivi/note/").status_code == 405
    assert client.get(f"/alliances/{public_alliance.pk}/suivi/indicateur/").status_code == 405


def test_an_unknown_alliance_is_404(client, admin):
    client.force_login(admin)
    for path in ("", "modifier/", "supprimer/"):
        assert client.get(f"/alliances/999999/{path}").status_code == 404
