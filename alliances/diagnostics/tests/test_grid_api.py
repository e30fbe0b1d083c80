"""GET /api/v1/diagnostics/grids: the grids with their published versions, in a constant
number of queries."""

import pytest

from alliances.diagnostics.grids import grid_version_draft, grid_version_publish
from alliances.diagnostics.models import CriterionLevel
from alliances.diagnostics.testing import make_grid

pytestmark = pytest.mark.django_db
URL = "/api/v1/diagnostics/grids"


def test_the_shape_of_the_answer(client, grid_version):
    response = client.get(URL)
    assert response.status_code == 200
    grids = {grid["slug"]: grid for grid in response.json()}
    assert set(grids) == {"co-construction-territoriale", "grille-test"}
    default = grids["co-construction-territoriale"]
    assert default["is_default"] is True
    assert default["name"] == "Grille de maturité de la co-construction territoriale"
    [version] = default["versions"]
    assert version["number"] == 1 and version["published_at"]
    assert [lv["name"] for lv in version["levels"]] == [
        "Émergence",
        "Structuration",
        "Consolidation",
        "Essaimage",
    ]
    assert set(version["levels"][0]) == {"rank", "name", "description"}
    assert len(version["axes"]) == 7
    axis = version["axes"][1]
    assert set(axis) == {"code", "name", "description", "criteria"}
    assert axis["code"] == "dialogue-territorial"
    criterion = axis["criteria"][0]
    assert set(criterion) == {"code", "name", "question", "levels"}
    assert criterion["code"] == "dialogue-instances"
    assert criterion["question"].endswith("?")
    assert [lv["rank"] for lv in criterion["levels"]] == [1, 2, 3, 4]
    assert all(lv["description"] for lv in criterion["levels"])


def test_drafts_are_not_shown_and_versions_come_newest_first(client, grid_version):
    draft = grid_version_draft(grid=grid_version.grid)
    [grid] = client.get(URL, {"slug": "grille-test"}).json()
    assert [v["number"] for v in grid["versions"]] == [1]
    CriterionLevel.objects.filter(criterion__version=draft, rank=1).update(description="Neuf.")
    grid_version_publish(version=draft)
    [grid] = client.get(URL, {"slug": "grille-test"}).json()
    assert [v["number"] for v in grid["versions"]] == [2, 1]
    assert grid["versions"][0]["axes"][0]["criteria"][0]["levels"][0]["description"] == "Neuf."
    assert grid["versions"][1]["axes"][0]["criteria"][0]["levels"][0]["description"] != "Neuf."


def test_a_bad_slug_is_a_400_and_an_unknown_one_an_empty_list(client):
    assert client.get(URL, {"slug": "pas un slug"}).status_code == 400
    assert client.get(URL, {"slug": "inconnue"}).json() == []


def test_signed_in_or_not_the_same_public_answer(client, participant, grid_version):
    anonymous = client.get(URL).json()
    client.force_login(participant)
    assert client.get(URL).json() == anonymous


@pytest.mark.parametrize("size", [(1, 1), (8, 5)])
def test_the_query_count_does_not_grow_with_the_grids(client, size, django_assert_num_queries):
    axes, criteria = size
    for n in range(3):
        version = make_grid(slug=f"grille-{n}", axes=axes, criteria=criteria)
        make_grid(grid=version.grid, axes=axes, criteria=criteria)
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert len(response.json()) == 4
