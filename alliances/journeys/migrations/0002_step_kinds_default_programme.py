"""Reference data: the step kinds, and the default programme of the parcours d'expérience.

Offsets count days from the programme's start; a month is about 30 days, so M1 is days
0–29, M2 days 30–60… and the journey lasts nine months (274 days).
"""

import datetime

from django.db import migrations

STEP_KINDS = [
    # (code, name, category)
    ("apport_theorique", "Apport théorique", "session"),
    ("temoignage", "Témoignage", "session"),
    ("mise_en_situation", "Mise en situation", "session"),
    ("codeveloppement", "Co-développement", "session"),
    ("webinaire", "Webinaire", "session"),
    ("temps_informel", "Temps informel", "session"),
    ("bilan", "Bilan", "work"),
    ("cible", "Cible", "work"),
    ("trajectoire", "Trajectoire", "work"),
    ("pitch", "Pitch de feuille de route", "work"),
    ("contribution", "Contribution", "work"),
]

PROGRAMME = {
    "slug": "parcours-co-construction",
    "name": "Parcours d'expérience co-construction territoriale",
    "description": (
        "Un parcours de neuf mois entre pairs pour les catalyseurs territoriaux des "
        "territoires pilotes : temps collectifs et individuels, apports théoriques, "
        "témoignages, mises en situation, co-développement et animation continue. Chaque "
        "territoire fait son bilan, se fixe une cible, construit sa trajectoire et présente "
        "sa feuille de route à la clôture."
    ),
    "is_public": True,
}

SESSION, WORK = "session", "work"
MORNING, LATE_MORNING, AFTERNOON = (
    datetime.time(9, 30), datetime.time(11, 0), datetime.time(14, 0)
)

# (name, description, start offset, duration in days, steps)
# step: (kind, title, description, offset days, duration minutes, time of day, mode)
# Session offsets fall on weekdays when the cohort starts on a Monday (the usual case).
PHASES = [
    (
        "Comprendre",
        "M1–M2 : comprendre la co-construction territoriale, les fragilités et les alliances "
        "possibles, et faire le bilan de départ de son territoire.",
        0, 61,
        [
            ("apport_theorique", "Séminaire de lancement — comprendre la co-construction",
             "Les quatre types d'alliances, les trois formes de partenariat et le rôle du "
             "catalyseur territorial ; présentation du parcours et des territoires pilotes.",
             3, 180, MORNING, "presentiel"),
            ("temoignage", "Séminaire de lancement — témoignages de territoires pionniers",
             "Des catalyseurs d'autres territoires racontent leurs alliances : ce qui a "
             "marché, ce qui a coincé, ce qu'ils referaient.",
             3, 180, AFTERNOON, "presentiel"),
            ("temps_informel", "Temps convivial de la promotion",
             "Faire connaissance entre binômes des territoires pilotes.",
             3, 90, datetime.time(17, 30), "presentiel"),
            ("webinaire", "Webinaire — lire les fragilités de son territoire",
             "Repérer les fragilités locales et les acteurs qui s'en occupent déjà, avec les "
             "données de l'Observatoire des partenariats.",
             38, 90, LATE_MORNING, "distanciel"),
            ("bilan", "Bilan de départ du territoire",
             "Évaluer la maturité de la co-construction sur votre territoire avec la grille "
             "du référentiel, en binôme, preuves à l'appui.",
             60, None, MORNING, "presentiel"),
        ],
    ),
    (
        "Mettre en œuvre",
        "M3–M5 : se fixer une cible, expérimenter en situation et construire sa trajectoire.",
        61, 92,
        [
            ("mise_en_situation", "Session collective — mise en situation",
             "Exercices pratiques : cartographier les acteurs, préparer un premier dialogue "
             "territorial entre associations, entreprises et collectivités.",
             66, 420, MORNING, "presentiel"),
            ("cible", "Cible à neuf mois",
             "Pour chaque critère du référentiel, le niveau que le territoire vise à "
             "l'issue du parcours.",
             91, None, MORNING, "presentiel"),
            ("webinaire", "Webinaire — les quatre types d'alliances en pratique",
             "Cas concrets d'alliances et des ressources mobilisées (argent, compétences, "
             "biens).",
             105, 90, LATE_MORNING, "distanciel"),
            ("webinaire", "Webinaire — mobiliser les entreprises du territoire",
             "Comment associer les entreprises locales à une dynamique de co-construction.",
             135, 90, LATE_MORNING, "distanciel"),
            ("trajectoire", "Trajectoire du territoire",
             "Les actions, leurs porteurs, partenaires, dates et jalons pour aller du bilan "
             "à la cible.",
             152, None, MORNING, "presentiel"),
        ],
    ),
    (
        "Approfondir",
        "M6–M7 : approfondir par le co-développement entre pairs et contribuer au centre "
        "de ressources.",
        153, 61,
        [
            ("codeveloppement", "Session de co-développement entre pairs",
             "Chaque territoire apporte une situation réelle ; le groupe l'aide en six "
             "étapes (méthode Payette et Champagne) jusqu'à un plan d'action.",
             157, 420, MORNING, "presentiel"),
            ("webinaire", "Webinaire — gouvernance et modèle économique des alliances",
             "Piloter une alliance dans la durée et trouver ses ressources.",
             192, 90, LATE_MORNING, "distanciel"),
            ("contribution", "Contribution au centre de ressources",
             "Partager une fiche pratique, un outil ou un témoignage issu de votre "
             "expérience.",
             213, None, MORNING, "presentiel"),
        ],
    ),
    (
        "Mettre en perspective",
        "M8–M9 : évaluer le chemin parcouru et présenter sa feuille de route.",
        214, 60,
        [
            ("webinaire", "Webinaire — évaluer et capitaliser",
             "Mesurer le chemin parcouru depuis le bilan de départ et préparer le suivi à "
             "36 mois.",
             225, 90, LATE_MORNING, "distanciel"),
            ("pitch", "Pitch de la feuille de route",
             "Préparer une présentation courte de la feuille de route du territoire.",
             262, None, MORNING, "presentiel"),
            ("temoignage", "Séminaire de clôture — pitchs des feuilles de route",
             "Chaque territoire pilote présente sa feuille de route devant la promotion et "
             "les partenaires ; regards croisés et suite du parcours.",
             266, 420, MORNING, "presentiel"),
        ],
    ),
]


def load(apps, schema_editor):
    StepKind = apps.get_model("journeys", "StepKind")
    Programme = apps.get_model("journeys", "Programme")
    ProgrammePhase = apps.get_model("journeys", "ProgrammePhase")
    ProgrammeStep = apps.get_model("journeys", "ProgrammeStep")
    for position, (code, name, category) in enumerate(STEP_KINDS, start=1):
        StepKind.objects.update_or_create(
            code=code, defaults={"name": name, "category": category, "position": position}
        )
    programme, _ = Programme.objects.update_or_create(
        slug=PROGRAMME["slug"],
        defaults={k: v for k, v in PROGRAMME.items() if k != "slug"},
    )
    for phase_position, (name, description, start, duration, steps) in enumerate(
        PHASES, start=1
    ):
        phase, _ = ProgrammePhase.objects.update_or_create(
            programme=programme,
            position=phase_position,
            defaults={
                "name": name,
                "description": description,
                "start_offset_days": start,
                "duration_days": duration,
            },
        )
        for position, (kind, title, text, offset, minutes, time_of_day, mode) in enumerate(
            steps, start=1
        ):
            ProgrammeStep.objects.update_or_create(
                phase=phase,
                position=position,
                defaults={
                    "kind_id": kind,
                    "title": title,
                    "description": text,
                    "offset_days": offset,
                    "duration_minutes": minutes,
                    "time_of_day": time_of_day,
                    "mode": mode,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("journeys", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
