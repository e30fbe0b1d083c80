"""The observatory's demo: national barometers and a local observatory with a few waves.

`observatory_demo` makes, through the services and the real response importer:

- the « Baromètre des maires » (national, population maires): waves 2023 and 2024 of about
  300 mayors each, quota samples by région and commune size band that over-represent the
  larger communes, raked to the communes' margins (région × taille de commune), published;
- the « Baromètre des associations » (national, population associations): a 2024 wave of
  1,200 associations, imported with the pollster's weights (`poids`), published;
- the « Observatoire de la vie associative en Bretagne » (local, région Bretagne, population
  associations), asking the national associations' question codes so that its figures compare
  with the national ones: a published 2024 wave (unweighted, as local surveys often are) and a
  wave in collection with its open link on and a few invitations.

The answers are drawn from a seeded generator with plausible shares that move a little between
waves (« dynamique de co-construction », q4, is a bit more positive in 2024). Idempotent:
surveys and waves that exist are left as they are, so a second run adds nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from alliances.accounts.models import User
from alliances.lib.stats.raking import rake
from alliances.territories.models import Region

from . import services
from .models import Survey, Wave
from .services import QuestionSpec, WaveDefinition

SEED = 2024

# The 13 régions of metropolitan France (INSEE codes, COG 2024) with their number of communes
# (about 34,800 in all) and their share of the active associations (rough, from the
# national surveys of associative life).
REGIONS: tuple[tuple[str, str, int, float], ...] = (
    ("11", "Île-de-France", 1265, 0.16),
    ("24", "Centre-Val de Loire", 1757, 0.035),
    ("27", "Bourgogne-Franche-Comté", 3699, 0.045),
    ("28", "Normandie", 2651, 0.05),
    ("32", "Hauts-de-France", 3789, 0.08),
    ("44", "Grand Est", 5121, 0.08),
    ("52", "Pays de la Loire", 1237, 0.06),
    ("53", "Bretagne", 1208, 0.06),
    ("75", "Nouvelle-Aquitaine", 4308, 0.10),
    ("76", "Occitanie", 4454, 0.10),
    ("84", "Auvergne-Rhône-Alpes", 4030, 0.13),
    ("93", "Provence-Alpes-Côte d'Azur", 946, 0.09),
    ("94", "Corse", 360, 0.01),
)
# Commune size bands: the communes' shares, and the mayors' quota sample's, which reaches
# the larger communes more easily (hence the raking).
SIZES: tuple[tuple[str, str, float, float], ...] = (
    ("moins_1000", "Moins de 1 000 habitants", 0.716, 0.45),
    ("1000_3499", "De 1 000 à 3 499 habitants", 0.189, 0.25),
    ("3500_9999", "De 3 500 à 9 999 habitants", 0.062, 0.17),
    ("10000_plus", "10 000 habitants et plus", 0.033, 0.13),
)
# Where mayors say co-construction is well under way (a small regional tilt of q4).
DYNAMIC_REGIONS = {"52", "53", "75"}

DYNAMIQUE = (
    ("oui_tout_a_fait", "Oui, tout à fait"),
    ("oui_plutot", "Oui, plutôt"),
    ("non_plutot_pas", "Non, plutôt pas"),
    ("non_pas_du_tout", "Non, pas du tout"),
    ("nsp", "Ne sait pas"),
)
Q4_LABEL = (
    "Votre territoire est-il porteur d'une dynamique de co-construction entre les différents "
    "acteurs (associations, entreprises et collectivités territoriales) ?"
)
# q4 among mayors, by size band (rows) in 2023; 2024 moves toward « oui » by Q4_2024_SHIFT.
Q4_MAIRES_2023 = np.array([
    [0.11, 0.38, 0.32, 0.13, 0.06],
    [0.14, 0.42, 0.29, 0.10, 0.05],
    [0.18, 0.45, 0.25, 0.08, 0.04],
    [0.24, 0.47, 0.21, 0.05, 0.03],
])
Q4_2024_SHIFT = np.array([0.03, 0.02, -0.03, -0.015, -0.005])

MAIRES_PARTNERS = (
    ("associations", "Des associations"),
    ("entreprises", "Des entreprises"),
    ("autres_collectivites", "D'autres collectivités (intercommunalité, département, région)"),
    ("etablissements_scolaires", "Des établissements scolaires"),
    ("fondations", "Des fondations"),
    ("aucun", "Aucun partenariat"),
)
COMMENTS_MAIRES = (
    "Un jardin partagé porté par une association avec le soutien de la commune.",
    "La rénovation de l'école avec les parents d'élèves et une entreprise locale.",
    "Un tiers-lieu géré avec les associations du village.",
    "Manque de temps et de moyens humains pour animer ces partenariats.",
    "Le forum des associations, ouvert cette année aux entreprises.",
    "Une mutuelle communale construite avec le CCAS et les associations.",
    "Difficile de mobiliser les entreprises hors de la commune-centre.",
    "Un plan de mobilité rurale avec l'intercommunalité et une association d'insertion.",
)

SECTEURS: tuple[tuple[str, str, float], ...] = (
    ("sport", "Sport", 0.24),
    ("culture", "Culture", 0.22),
    ("loisirs", "Loisirs et vie sociale", 0.21),
    ("defense_droits", "Défense des droits et des causes", 0.13),
    ("social_sante", "Action sociale et santé", 0.11),
    ("education", "Éducation, formation, insertion", 0.04),
    ("environnement", "Environnement", 0.05),
)
# Associations by number of employees: in the population, and in the barometer's sample
# (employers are over-sampled: the pollster's weights correct it).
SALARIES: tuple[tuple[str, str, float, float], ...] = (
    ("sans_salarie", "Aucun salarié", 0.88, 0.65),
    ("1_9", "De 1 à 9 salariés", 0.09, 0.23),
    ("10_plus", "10 salariés et plus", 0.03, 0.12),
)
RELATIONS = (
    ("communes", "Les communes ou intercommunalités"),
    ("departement", "Le département"),
    ("conseil_regional", "La région"),
    ("autres_associations", "D'autres associations"),
    ("entreprises", "Des entreprises"),
    ("etablissements_scolaires", "Des établissements scolaires ou universitaires"),
    ("fondations", "Des fondations"),
    ("aucune", "Aucune de ces organisations"),
)
COMMENTS_ASSOCIATIONS = (
    "Un interlocuteur unique à la mairie pour les associations.",
    "Des financements pluriannuels plutôt que des appels à projets chaque année.",
    "Mieux connaître les entreprises du territoire prêtes à s'engager.",
    "Un lieu pour se rencontrer entre associations du quartier.",
    "Du temps de bénévoles : nous sommes toujours les mêmes.",
    "Un annuaire des associations tenu à jour par l'intercommunalité.",
    "Une aide pour monter des dossiers de mécénat.",
)
# The local observatory: Bretagne's départements and their share of the region's associations.
BRETAGNE = "53"
DEPARTEMENTS_BRETAGNE = (
    ("22", "Côtes-d'Armor", 0.18),
    ("29", "Finistère", 0.27),
    ("35", "Ille-et-Vilaine", 0.32),
    ("56", "Morbihan", 0.23),
)
INVITED = (
    "Jardins partagés de Rennes", "Union sportive de Fougères", "Repair café de Lorient",
    "Théâtre en herbe de Quimper", "Épicerie solidaire de Saint-Brieuc",
    "Vélo-école de Vannes", "Les Amis de la nature de Morlaix", "Ciné-club de Vitré",
    "Entraide numérique de Lannion", "Comité des fêtes de Concarneau",
)
ANSWERED = 4  # invitations answered in the wave in collection (and one more half-way)
OPEN_ANSWERS = 2  # answers through its open link

# The profile questions: respondent attributes in every wave that asks them.
ATTRIBUTES = frozenset({"region", "taille_commune", "departement", "secteur", "salaries"})

MAIRES = "barometre-maires"
ASSOCIATIONS = "barometre-associations"
LOCAL = "observatoire-vie-associative-bretagne"


def _options(rows) -> tuple[tuple[str, str], ...]:
    return tuple((row[0], row[1]) for row in rows)


def maires_definition() -> WaveDefinition:
    return WaveDefinition(title="Baromètre des maires", questions=[
        QuestionSpec("region", "single", "Région de votre commune", _options(REGIONS),
                     required=True, group="Votre commune"),
        QuestionSpec("taille_commune", "single", "Population de votre commune",
                     _options(SIZES), required=True, group="Votre commune"),
        QuestionSpec("q4", "single", Q4_LABEL, DYNAMIQUE, required=True,
                     group="Co-construction"),
        QuestionSpec("q14", "multiple", "Avec quels acteurs votre commune a-t-elle mené des "
                     "projets en partenariat au cours des douze derniers mois ?",
                     MAIRES_PARTNERS, hint="Plusieurs réponses possibles.",
                     group="Co-construction"),
        QuestionSpec("q20", "number", "Combien de conventions de partenariat votre commune "
                     "a-t-elle signées au cours des douze derniers mois ?", minimum=0,
                     maximum=500, group="Co-construction"),
        QuestionSpec("q30", "text", "Pouvez-vous citer un projet mené en co-construction sur "
                     "votre territoire ?", group="Pour finir"),
    ])


def associations_definition(*, local: bool) -> WaveDefinition:
    """The national associations' questions; a local observatory asks the same codes, with
    the département instead of the région."""
    where = (
        QuestionSpec("departement", "single", "Département du siège de votre association",
                     _options(DEPARTEMENTS_BRETAGNE), required=True, group="Votre association")
        if local else
        QuestionSpec("region", "single", "Région du siège de votre association",
                     _options(REGIONS), required=True, group="Votre association")
    )
    return WaveDefinition(title="Baromètre des associations", questions=[
        where,
        QuestionSpec("secteur", "single", "Secteur d'activité principal de votre association",
                     _options(SECTEURS), required=True, group="Votre association"),
        QuestionSpec("salaries", "single", "Votre association emploie-t-elle des salariés ?",
                     _options(SALARIES), required=True, group="Votre association"),
        QuestionSpec("q4", "single", Q4_LABEL, DYNAMIQUE, required=True,
                     group="Co-construction"),
        QuestionSpec("q15", "multiple", "Outre les services de l'État, avec quelles "
                     "organisations votre association développe-t-elle des relations ?",
                     RELATIONS, hint="Plusieurs réponses possibles.", group="Co-construction"),
        QuestionSpec("q21", "number", "Combien de bénévoles réguliers compte votre "
                     "association ?", minimum=0, maximum=100000, group="Co-construction"),
        QuestionSpec("q31", "text", "Qu'est-ce qui faciliterait les coopérations de votre "
                     "association sur son territoire ?", group="Pour finir"),
    ])


Responses = tuple[list[str], list[list[str]], str]  # header, rows, weight column


@dataclass(frozen=True)
class WavePlan:
    label: str
    field_start: datetime.date | None
    field_end: datetime.date | None
    # rng → (header, rows, weight column): the file the importer reads.
    responses: Callable[[np.random.Generator], Responses]
    margins: dict[str, dict[str, float]] | None = None
    publish: bool = True


def observatory_demo(*, owner: User) -> None:
    """Load the observatory's demo surveys and waves (see the module docstring), owned by
    `owner` (an analyste). Surveys and waves that already exist are left alone."""
    with transaction.atomic():
        maires = _survey(
            MAIRES, owner, title="Baromètre des maires", population=Survey.Population.MAIRES,
            description="Enquête annuelle par téléphone auprès d'un échantillon de maires "
            "constitué par quotas (région, taille de commune), redressé par calage sur la "
            "répartition des communes.",
        )
        _wave(maires, owner, WavePlan(
            "2023", datetime.date(2023, 9, 4), datetime.date(2023, 10, 13),
            lambda rng: maires_responses(rng, n=302, year=2023), margins=maires_margins(),
        ), seed=SEED + 1)
        _wave(maires, owner, WavePlan(
            "2024", datetime.date(2024, 9, 2), datetime.date(2024, 10, 11),
            lambda rng: maires_responses(rng, n=298, year=2024), margins=maires_margins(),
        ), seed=SEED + 2)

        associations = _survey(
            ASSOCIATIONS, owner, title="Baromètre des associations",
            population=Survey.Population.ASSOCIATIONS,
            description="Enquête en ligne auprès d'un échantillon national d'associations, "
            "pondéré par l'institut (région, secteur, emploi salarié).",
        )
        _wave(associations, owner, WavePlan(
            "2024", datetime.date(2024, 3, 4), datetime.date(2024, 4, 26),
            lambda rng: associations_responses(rng, n=1200, local=False),
        ), seed=SEED + 3)

        local = _survey(
            LOCAL, owner, title="Observatoire de la vie associative en Bretagne",
            population=Survey.Population.ASSOCIATIONS, scope=Survey.Scope.LOCAL,
            region=Region.objects.get(pk=BRETAGNE),
            description="L'observatoire du réseau associatif breton : les questions du "
            "baromètre national, posées aux associations de la région.",
        )
        _wave(local, owner, WavePlan(
            "2024", datetime.date(2024, 5, 13), datetime.date(2024, 6, 28),
            lambda rng: associations_responses(rng, n=264, local=True),
        ), seed=SEED + 4)
        if not local.waves.exclude(label="2024").exists():
            _collecting_wave(local, owner)


def _survey(slug: str, owner: User, **fields) -> Survey:
    survey = Survey.objects.filter(slug=slug).first()
    return survey or services.survey_create(slug=slug, owner=owner, **fields)


def _wave(survey: Survey, owner: User, plan: WavePlan, *, seed: int) -> Wave | None:
    if survey.waves.filter(label=plan.label).exists():
        return None
    definition = maires_definition() if survey.slug == MAIRES else associations_definition(
        local=survey.scope == Survey.Scope.LOCAL)
    wave = services.wave_create(
        survey=survey, label=plan.label, definition=definition, created_by=owner,
        attributes=_attributes(definition), field_start=plan.field_start,
        field_end=plan.field_end,
    )
    header, rows, weight_column = plan.responses(np.random.default_rng(seed))
    _import(wave, owner, header, rows, weight_column, name=f"{survey.slug}-{plan.label}.csv")
    if plan.margins:
        services.wave_rake(wave=wave, margins=plan.margins)
    if plan.publish:
        services.wave_publish(wave=wave, by=owner)
    return wave


def _attributes(definition: WaveDefinition) -> list[str]:
    """The respondent attributes (breakdowns and filters): the profile questions."""
    return [q.code for q in definition.questions if q.code in ATTRIBUTES]


def _import(wave: Wave, owner: User, header: list[str], rows: list[list[str]],
            weight_column: str, *, name: str) -> None:
    """Import the rows as a CSV file through the real importer, synchronously (as the command
    line does), and check that every row went in: a demo that half-loads would mislead."""
    from .imports import batch_run, responses_import

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    batch = responses_import(
        wave=wave, file=ContentFile(out.getvalue().encode(), name=name), filename=name,
        created_by=owner, weight_column=weight_column, enqueue=False,
    )
    batch = batch_run(batch_id=batch.pk)
    if batch.rows_imported != len(rows):
        raise RuntimeError(f"demo import of {name}: {batch.rows_imported} of {len(rows)} rows "
                           f"imported; errors: {batch.errors[:3]}")


def _collecting_wave(survey: Survey, owner: User) -> Wave:
    """This year's wave of the local observatory, in collection: open link on, invitations
    sent to associations of the network, some answered (through the questionnaire's own
    services, page by page), one left half-way, and two answers through the open link."""
    from . import collection
    from .console_services import wave_set_open_link

    today = timezone.localdate()
    definition = associations_definition(local=True)
    wave = services.wave_create(
        survey=survey, label=str(today.year), definition=definition, created_by=owner,
        attributes=_attributes(definition), field_start=today - datetime.timedelta(days=10),
        field_end=today + datetime.timedelta(days=50),
    )
    wave = services.wave_set_status(wave=wave, status=Wave.Status.COLLECTE, by=owner)
    wave_set_open_link(wave=wave, open=True)
    invitations = collection.invitations_create(wave=wave, labels=INVITED)
    header, rows, _weights = associations_responses(
        np.random.default_rng(SEED + 5), n=ANSWERED + 1 + OPEN_ANSWERS, local=True)
    answers = [_answers(header, row) for row in rows]
    pages = collection.questionnaire_of(wave).pages
    for i, invitation in enumerate(invitations[: ANSWERED + 1]):
        response = collection.response_for_invitation(invitation=invitation)
        _answer(collection, response, pages, answers[i], submit=i < ANSWERED)
    for given in answers[ANSWERED + 1:]:
        response = collection.response_start_open(wave=wave)
        _answer(collection, response, pages, given, submit=True)
    return wave


def _answer(collection, response, pages, answers: dict, *, submit: bool) -> None:
    """Save the answers page by page as the questionnaire does; a draft stops after the
    first page."""
    for page in pages if submit else pages[:1]:
        on_page = {item.code: answers[item.code] for item in page.items if item.code in answers}
        collection.response_save(response=response, answers=on_page, page=page.number)
    if submit:
        collection.response_submit(response=response)


def _answers(header: list[str], row: list[str]) -> dict:
    """A file row as the questionnaire's answers ({code: option | [options] | number | text})."""
    answers: dict = {}
    for column, cell in zip(header, row, strict=True):
        code, _slash, option = column.partition("/")
        if option:
            if cell:
                answers.setdefault(code, [])
                if cell == "1":
                    answers[code].append(option)
        elif cell:
            answers[code] = cell
    return answers


# -- the answers ---------------------------------------------------------------------------


def quota(n: int, shares: Sequence[float], minimum: int = 0) -> list[int]:
    """Counts summing to n, proportional to `shares` (largest remainders), each at least
    `minimum`: a quota sample's cells."""
    shares_ = np.asarray(shares, dtype=float)
    counts = np.full(len(shares_), minimum)
    rest = n - counts.sum()
    exact = shares_ / shares_.sum() * rest
    counts += np.floor(exact).astype(int)
    remainders = exact - np.floor(exact)
    for i in np.argsort(-remainders, kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    return counts.tolist()


def _shuffled(rng: np.random.Generator, counts: Sequence[int]) -> np.ndarray:
    """Category indices meeting the quotas exactly, in random order."""
    values = np.repeat(np.arange(len(counts)), counts)
    rng.shuffle(values)
    return values


def maires_margins() -> dict[str, dict[str, float]]:
    """The communes' distribution: the mayors' population margins for the raking."""
    communes = sum(r[2] for r in REGIONS)
    return {
        "region": {code: count / communes for code, _name, count, _assoc in REGIONS},
        "taille_commune": {code: share for code, _name, share, _sample in SIZES},
    }


def maires_responses(rng: np.random.Generator, *, n: int, year: int) -> Responses:
    """n mayors: quotas by région (at least 8 a région) and size band (over-representing
    the larger communes), q4 by size band and year, q14 in the ODK style (one column of
    space-separated codes), a count q20 and a few comments q30. No weights: they are raked."""
    region = _shuffled(rng, quota(n, [r[2] for r in REGIONS], minimum=8))
    size = _shuffled(rng, quota(n, [s[3] for s in SIZES]))
    table = Q4_MAIRES_2023 + (Q4_2024_SHIFT if year >= 2024 else 0.0)
    later = 1.0 if year < 2024 else 1.1
    header = ["region", "taille_commune", "q4", "q14", "q20", "q30"]
    rows = []
    for i in range(n):
        b = int(size[i])
        p = table[b].copy()
        if REGIONS[region[i]][0] in DYNAMIC_REGIONS:
            p[:2] *= 1.25
        q4 = DYNAMIQUE[rng.choice(len(p), p=p / p.sum())][0]
        partners = ""
        if rng.random() < 0.95:
            chances = np.array([0.70 + 0.07 * b, 0.22 + 0.10 * b + 0.04 * (year >= 2024),
                                0.60 + 0.05 * b, 0.35 + 0.08 * b, 0.03 + 0.04 * b])
            chosen = [MAIRES_PARTNERS[j][0] for j in range(5) if rng.random() < chances[j]]
            partners = " ".join(chosen) if chosen and rng.random() > 0.08 - 0.02 * b \
                else "aucun"
        count = "" if rng.random() < 0.07 else str(rng.poisson([0.9, 2.1, 4.0, 8.5][b] * later))
        comment = COMMENTS_MAIRES[rng.integers(len(COMMENTS_MAIRES))] \
            if rng.random() < 0.25 else ""
        rows.append([REGIONS[region[i]][0], SIZES[b][0], q4, partners, count, comment])
    return header, rows, ""


def associations_responses(rng: np.random.Generator, *, n: int, local: bool) -> Responses:
    """n associations: région quotas (national, at least 30 a région) or départements
    (local), sector and employees drawn with the sample's shares; q15 in the Kobo export
    style (one 0/1 column per option); the national file carries the pollster's weights
    `poids` (raked on région, sector and employees); the local one has none."""
    places: tuple[tuple[str, str, float], ...]
    if local:
        places = DEPARTEMENTS_BRETAGNE
        where = _shuffled(rng, quota(n, [d[2] for d in places]))
    else:
        places = tuple((r[0], r[1], r[3]) for r in REGIONS)
        where = _shuffled(rng, quota(n, [r[3] for r in REGIONS], minimum=30))
    secteur = rng.choice(len(SECTEURS), size=n, p=[s[2] for s in SECTEURS])
    salaries = rng.choice(len(SALARIES), size=n, p=[s[3] for s in SALARIES])
    # Local networks' members see more co-construction than the national average.
    q4_base = np.array([0.18, 0.45, 0.25, 0.06, 0.06] if local else
                       [0.12, 0.40, 0.30, 0.10, 0.08])
    header = ["departement" if local else "region", "secteur", "salaries", "q4"]
    header += [f"q15/{code}" for code, _label in RELATIONS] + ["q21", "q31"]
    rows = []
    for i in range(n):
        e = int(salaries[i])
        p = q4_base.copy()
        p[:2] *= 1.0 + 0.15 * e  # employers work more with others
        q4 = DYNAMIQUE[rng.choice(len(p), p=p / p.sum())][0]
        relations = [""] * len(RELATIONS)
        if rng.random() < 0.93:
            chances = [0.62 + 0.12 * e, 0.28 + 0.15 * e, 0.12 + 0.15 * e,
                       0.55 + 0.05 * e + 0.08 * local, 0.22 + 0.15 * e, 0.20 + 0.05 * e,
                       0.07 + 0.08 * e]
            chosen = [rng.random() < c for c in chances]
            if not any(chosen) or rng.random() < 0.05:
                chosen = [False] * len(chances) + [True]  # « aucune »
            else:
                chosen.append(False)
            relations = ["1" if c else "0" for c in chosen]
        volunteers = "" if rng.random() < 0.06 else str(
            int(round(rng.lognormal(2.2 + 0.4 * e, 0.8))))
        comment = COMMENTS_ASSOCIATIONS[rng.integers(len(COMMENTS_ASSOCIATIONS))] \
            if rng.random() < 0.2 else ""
        rows.append([places[where[i]][0], SECTEURS[secteur[i]][0], SALARIES[e][0], q4,
                     *relations, volunteers, comment])
    if local:
        return header, rows, ""
    weights = rake(
        {"region": where, "secteur": secteur, "salaries": salaries},
        {"region": np.array([r[3] for r in REGIONS]),
         "secteur": np.array([s[2] for s in SECTEURS]),
         "salaries": np.array([s[2] for s in SALARIES])},
        np.ones(n),
    ).weights
    for row, weight in zip(rows, weights, strict=True):
        row.append(f"{weight:.6f}")
    return [*header, "poids"], rows, "poids"
