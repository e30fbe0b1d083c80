"""Territories named in paths and query strings."""

import pytest
from django.http import Http404

from alliances.actors.tests.fixtures import make_commune
from alliances.partnerships.territory import (
    parse_territory,
    territory_from_path,
    territory_level,
)
from alliances.territories.models import Departement, Region


@pytest.fixture
def ille_et_vilaine(db) -> Departement:
    bretagne = Region.objects.get_or_create(code="53", defaults={"name": "Bretagne"})[0]
    return Departement.objects.get_or_create(
        code="35", defaults={"name": "Ille-et-Vilaine", "region": bretagne}
    )[0]


@pytest.fixture
def rennes(ille_et_vilaine):
    return make_commune("35238", "Rennes", ille_et_vilaine, 225081)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("35", ("departement", "35")),
        ("35238", ("commune", "35238")),
        (" 35238 ", ("commune", "35238")),
        ("region:53", ("region", "53")),
        ("departement:35", ("departement", "35")),
        ("commune:35238", ("commune", "35238")),
    ],
)
def test_it_reads_codes_and_explicit_levels(rennes, value, expected):
    territory = parse_territory(value)
    assert (territory_level(territory), territory.code) == expected


@pytest.mark.parametrize(
    "value", ["", "3", "352", "999999", "region:99", "canton:35", "commune:35", "<script>"]
)
def test_it_names_no_territory_for_bad_or_unknown_values(rennes, value):
    assert parse_territory(value) is None


def test_paths_find_each_level_and_refuse_the_rest(rennes, ille_et_vilaine):
    assert territory_from_path("commune", "35238") == rennes
    assert territory_from_path("departement", "35") == ille_et_vilaine
    assert territory_from_path("region", "53").name == "Bretagne"
    for level, code in [("commune", "35999"), ("canton", "35"), ("region", "35238")]:
        with pytest.raises(Http404):
            territory_from_path(level, code)
