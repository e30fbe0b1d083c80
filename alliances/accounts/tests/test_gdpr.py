import json

import pytest
from django.urls import reverse

from alliances.accounts.gdpr import exporters, user_export

pytestmark = pytest.mark.django_db


def test_export_rejects_get(client, participant):
    client.force_login(participant)
    assert client.get(reverse("accounts:data_export")).status_code == 405


def test_export_needs_login(client):
    response = client.post(reverse("accounts:data_export"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_export_is_a_json_attachment_with_everything(client, participant, membership, commune):
    participant.home_commune = commune
    participant.save()
    client.force_login(participant)
    response = client.post(reverse("accounts:data_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="alliances-')
    data = json.loads(response.content)
    account = data["accounts"]["account"]
    assert account["email"] == "participant@example.org"
    assert account["display_name"] == "Paul Participant"
    assert account["platform_role"] == "participant"
    assert account["home_commune"] == {"insee_code": "75056", "name": "Paris"}
    assert data["accounts"]["email_addresses"] == [
        {"email": "participant@example.org", "primary": True, "verified": True}
    ]
    assert data["actors"]["memberships"] == [
        {
            "organisation_id": membership.organisation_id,
            "organisation": "Maison des associations",
            "role": "manager",
            "position": "Coordinatrice",
        }
    ]
    assert participant.password not in response.content.decode()
    assert "password" not in json.dumps(account).replace("has_usable_password", "")


def test_export_holds_only_my_data(participant, outsider, membership):
    data = user_export(outsider)
    assert data["actors"]["memberships"] == []
    assert "participant@example.org" not in json.dumps(data)


def test_every_exporter_returns_a_dict(participant):
    for label, exporter in exporters().items():
        assert isinstance(exporter(participant), dict), label
