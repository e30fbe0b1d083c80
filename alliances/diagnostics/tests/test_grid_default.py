"""The default grid: its data's shape, and the data migration that ships it."""

import re

import pytest

from alliances.diagnostics.default_grid import DEFAULT_GRID
from alliances.diagnostics.grids import grid_check_data, grid_version_data, grid_version_problems
from alliances.diagnostics.models import Grid, GridVersionStatus

CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LEVEL_NAMES = ["Émergence", "Structuration", "Consolidation", "Essaimage"]


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def test_the_default_grid_has_seven_axes_of_three_to_five_criteria_on_four_levels():
    assert DEFAULT_GRID["grid"]["slug"] == "co-construction-territoriale"
    assert [lv["name"] for lv in DEFAULT_GRID["levels"]] == LEVEL_NAMES
    assert all(lv["description"].strip() for lv in DEFAULT_GRID["levels"])
    axes = DEFAULT_GRID["axes"]
    assert len(axes) == 7
    for axis in axes:
        assert 3 <= len(axis["criteria"]) <= 5, axis["code"]
        for criterion in axis["criteria"]:
            assert [lv["rank"] for lv in criterion["levels"]] == [1, 2, 3, 4], criterion["code"]
            assert criterion["question"].rstrip().endswith("?"), criterion["code"]
    criteria = [c for axis in axes for c in axis["criteria"]]
    assert 25 <= len(criteria) <= 32
    codes = [axis["code"] for axis in axes] + [c["code"] for c in criteria]
    assert len(codes) == len(set(codes))
    assert all(CODE.match(code) for code in codes)
    assert "dialogue-instances" in codes
    assert all(text.strip() for text in _texts(DEFAULT_GRID))
    # Four different descriptions per criterion: each level says something of its own.
    assert all(len({lv["description"] for lv in c["levels"]}) == 4 for c in criteria)
    grid_check_data(DEFAULT_GRID)  # valid in the exchange format


def test_the_axes_are_those_of_the_referentiel():
    names = [axis["name"] for axis in DEFAULT_GRID["axes"]]
    assert names == [
        "Connaissance du territoire et de ses fragilités",
        "Dialogue territorial",
        "Partenariats entre organisations",
        "Expérimentations collectives",
        "Gouvernance et pilotage",
        "Ressources et modèle économique",
        "Évaluation et capitalisation",
    ]


@pytest.mark.django_db
def test_the_migration_ships_it_published_and_default():
    grid = Grid.objects.get(slug="co-construction-territoriale")
    assert grid.is_default
    assert grid.name == "Grille de maturité de la co-construction territoriale"
    [version] = grid.versions.all()
    assert version.number == 1
    assert version.status == GridVersionStatus.PUBLISHED
    assert version.published_at is not None
    assert grid_version_problems(version) == []
    data = grid_version_data(version)
    assert data["levels"] == DEFAULT_GRID["levels"]
    assert data["axes"] == DEFAULT_GRID["axes"]
