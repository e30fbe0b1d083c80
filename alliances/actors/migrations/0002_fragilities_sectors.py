"""Reference data: the 12 fragility domains and the 21 sections of the NAF rév. 2."""

from django.db import migrations

FRAGILITIES = [
    ("emploi", "Emploi"),
    ("vieillissement", "Vieillissement"),
    ("lien-social", "Lien social"),
    ("jeunesse", "Jeunesse"),
    ("sante", "Santé"),
    ("logement", "Logement"),
    ("mobilite", "Mobilité"),
    ("environnement", "Environnement"),
    ("education", "Éducation"),
    ("precarite", "Précarité"),
    ("handicap", "Handicap"),
    ("culture", "Culture"),
]

# Sections of the Nomenclature d'activités française, révision 2 (INSEE, 2008).
SECTORS = [
    ("A", "Agriculture, sylviculture et pêche"),
    ("B", "Industries extractives"),
    ("C", "Industrie manufacturière"),
    ("D", "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné"),
    ("E", "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution"),
    ("F", "Construction"),
    ("G", "Commerce ; réparation d'automobiles et de motocycles"),
    ("H", "Transports et entreposage"),
    ("I", "Hébergement et restauration"),
    ("J", "Information et communication"),
    ("K", "Activités financières et d'assurance"),
    ("L", "Activités immobilières"),
    ("M", "Activités spécialisées, scientifiques et techniques"),
    ("N", "Activités de services administratifs et de soutien"),
    ("O", "Administration publique"),
    ("P", "Enseignement"),
    ("Q", "Santé humaine et action sociale"),
    ("R", "Arts, spectacles et activités récréatives"),
    ("S", "Autres activités de services"),
    (
        "T",
        "Activités des ménages en tant qu'employeurs ; activités indifférenciées des ménages "
        "en tant que producteurs de biens et services pour usage propre",
    ),
    ("U", "Activités extra-territoriales"),
]


def load(apps, schema_editor):
    Fragility = apps.get_model("actors", "Fragility")
    Sector = apps.get_model("actors", "Sector")
    for position, (code, name) in enumerate(FRAGILITIES, start=1):
        Fragility.objects.update_or_create(
            code=code, defaults={"name": name, "position": position}
        )
    for code, name in SECTORS:
        Sector.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("actors", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
