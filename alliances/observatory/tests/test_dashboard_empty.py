"""A wave without respondents yet (an analyst opens it from the console before any import):
the dashboard and the API answer, with empty bases, instead of failing."""

import pytest
from django.urls import reverse

from alliances.observatory.services import survey_create, wave_create
from alliances.observatory.testing import sample_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty(analyste):
    survey = survey_create(slug="vide", title="Vide", population="maires", owner=analyste)
    return wave_create(survey=survey, label="2024", definition=sample_definition(),
                       created_by=analyste, attributes=["region", "taille_commune"])


@pytest.mark.parametrize("params", ["", "?question=q14&by=region", "?question=q20&by=region"])
def test_an_empty_wave_has_a_dashboard(client, analyste, empty, params):
    client.force_login(analyste)
    response = client.get(reverse("observatory:dashboard", args=[empty.pk]) + params)
    assert response.status_code == 200
    assert all(group.n == 0 for group in response.context["results"].groups)
    csv = client.get(reverse("observatory:dashboard_csv", args=[empty.pk]) + params)
    assert csv.status_code == 200


def test_an_empty_wave_in_the_api(client, analyste, empty):
    client.force_login(analyste)
    body = client.get(f"/api/v1/observatory/waves/{empty.pk}/questions/q4/results").json()
    [group] = body["groups"]
    assert group["n"] == 0 and group["too_small"] is True
    assert all(o["share"] is None for o in group["options"])
