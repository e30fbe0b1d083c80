"""The regions and départements shipped by migration 0002."""

import importlib

from alliances.territories.models import Departement, Region

data = importlib.import_module("alliances.territories.migrations.0002_regions_departements")


def test_18_regions_and_101_departements(db):
    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
    assert set(Region.objects.values_list("code", flat=True)) == {
        "01", "02", "03", "04", "06", "11", "24", "27", "28",
        "32", "44", "52", "53", "75", "76", "84", "93", "94",
    }  # fmt: skip


def test_codes_are_strings_with_corsica_and_overseas(db):
    codes = list(Departement.objects.order_by("code").values_list("code", flat=True))
    expected = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
    expected += ["971", "972", "973", "974", "976"]
    assert sorted(codes) == sorted(expected)


def test_departements_are_in_their_regions(db):
    region_of = dict(Departement.objects.values_list("code", "region_id"))
    assert region_of["2A"] == region_of["2B"] == "94"
    assert region_of["976"] == "06"
    assert region_of["971"] == "01"
    assert region_of["974"] == "04"
    assert region_of["75"] == region_of["94"] == region_of["77"] == "11"
    assert region_of["35"] == "53"
    assert region_of["05"] == "93"
    assert region_of["07"] == "84"
    assert region_of["44"] == "52"
    assert region_of["90"] == "27"


def test_region_sizes(db):
    sizes = {region.code: region.departements.count() for region in Region.objects.all()}
    assert sizes == {
        "01": 1, "02": 1, "03": 1, "04": 1, "06": 1, "11": 8, "24": 6, "27": 8, "28": 5,
        "32": 5, "44": 10, "52": 5, "53": 4, "75": 12, "76": 13, "84": 12, "93": 6, "94": 2,
    }  # fmt: skip


def test_names(db):
    assert Region.objects.get(code="11").name == "Île-de-France"
    assert Region.objects.get(code="84").name == "Auvergne-Rhône-Alpes"
    assert Region.objects.get(code="93").name == "Provence-Alpes-Côte d'Azur"
    assert Region.objects.get(code="06").name == "Mayotte"
    assert Departement.objects.get(code="2A").name == "Corse-du-Sud"
    assert Departement.objects.get(code="95").name == "Val-d'Oise"
    assert Departement.objects.get(code="974").name == "La Réunion"


def test_running_it_again_changes_nothing(db):
    from django.apps import apps

    Region.objects.filter(code="11").update(name="Renamed")
    data.load(apps, None)
    assert Region.objects.get(code="11").name == "Île-de-France"
    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
