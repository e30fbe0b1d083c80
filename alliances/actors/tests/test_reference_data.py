from alliances.actors.models import Fragility, Sector


def test_the_twelve_fragility_domains_ship_with_the_project(db):
    assert list(Fragility.objects.values_list("code", flat=True)) == [
        "emploi", "vieillissement", "lien-social", "jeunesse", "sante", "logement",
        "mobilite", "environnement", "education", "precarite", "handicap", "culture",
    ]
    assert Fragility.objects.get(code="sante").name == "Santé"
    assert Fragility.objects.get(code="education").name == "Éducation"


def test_the_21_naf_sections_ship_with_the_project(db):
    codes = list(Sector.objects.values_list("code", flat=True))
    assert codes == [chr(c) for c in range(ord("A"), ord("U") + 1)]
    assert Sector.objects.get(code="Q").name == "Santé humaine et action sociale"
    assert Sector.objects.get(code="A").name == "Agriculture, sylviculture et pêche"


def test_the_data_migration_can_run_twice(db):
    from importlib import import_module

    from django.apps import apps

    module = import_module("alliances.actors.migrations.0002_fragilities_sectors")
    Fragility.objects.filter(code="emploi").update(name="changed")
    module.load(apps, None)
    assert Fragility.objects.count() == 12
    assert Sector.objects.count() == 21
    assert Fragility.objects.get(code="emploi").name == "Emploi"
