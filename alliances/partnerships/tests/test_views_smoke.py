import pytest

from .alliance_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def test_pages_render(client, participant, public_alliance, organisation, vincennes):
    assert client.get("/alliances/").status_code == 200
    r = client.get(public_alliance.get_absolute_url())
    assert r.status_code == 200, r.content
    client.force_login(participant)
    for url in ["/alliances/", public_alliance.get_absolute_url(), "/alliances/nouvelle/",
                f"/alliances/{public_alliance.pk}/modifier/", f"/alliances/{public_alliance.pk}/supprimer/",
                organisation.get_absolute_url(), vincennes.get_absolute_url()]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.content.decode()[:3000])
