"""The demo data set: real territories, three pilot territories, a few hundred actors.

Deterministic (a seeded generator) so that screenshots and tests of the demo agree; made
through the services, like everything else.
"""

import datetime
import random
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.actors.models import Fragility, Membership, Organisation, OrganisationType
from alliances.actors.registry import commune_centres_import
from alliances.actors.services import membership_add, organisation_create
from alliances.codev.services import (
    ActionInput,
    action_plan_save,
    learning_save,
    note_add,
    round_create,
    round_next_step,
    round_start,
)
from alliances.diagnostics.models import ActionStatus, BilanMoment, Horizon
from alliances.diagnostics.services import ActionInput as TrajectoireAction
from alliances.diagnostics.services import (
    action_create,
    bilan_create,
    bilan_validate,
    entry_save,
    milestone_create,
    plan_for_territory,
    target_set,
)
from alliances.discussions.services import post_create, thread_create
from alliances.journeys.models import (
    Cohort,
    CohortRole,
    CohortStatus,
    CohortVisibility,
    Programme,
    SubmissionStatus,
)
from alliances.journeys.services import (
    attendance_record,
    cohort_create_from_programme,
    cohort_member_add,
    feedback_give,
    paris_datetime,
    pilot_territory_add,
    session_create,
    session_register,
    session_update,
    submission_review,
    submission_save,
)
from alliances.lib import codev
from alliances.lib.identifiers import with_luhn_digit
from alliances.needs.demo import needs_demo
from alliances.observatory.demo import observatory_demo
from alliances.partnerships.benchmarks import partner_benchmarks_demo
from alliances.partnerships.demo import partnerships_demo
from alliances.resources.importer import resources_import
from alliances.territories.models import Commune
from alliances.territories.services import communes_import, epcis_import

DEMO_FILES = Path(__file__).resolve().parent.parent / "territories" / "demo"
# The resource centre's demo catalogue, imported like a migrated centre would be.
DEMO_RESOURCES = Path(__file__).resolve().parent.parent / "resources" / "demo"
DEMO_CONTRIBUTOR = "participant@alliances.localhost"
PILOT_DEPARTEMENTS = ["94", "35", "05"]
ACTORS_PER_TERRITORY = 110

SURNAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Blanc", "Guérin", "Boyer",
    "Chevalier", "Gauthier", "Perrin", "Le Gall", "Kerbrat", "Rolland", "Faure", "Chabert",
]
FAMOUS = [
    "Jean Moulin", "Jules Ferry", "Louise Michel", "Victor Hugo", "Simone Veil", "Marie Curie",
    "Jean Jaurès", "Lucie Aubrac", "Albert Camus", "George Sand", "Olympe de Gouges",
]
NAMES: dict[str, list[str]] = {
    OrganisationType.ASSOCIATION: [
        "Jardins partagés de {c}", "Solidarité emploi {c}", "Club de l'âge d'or de {c}",
        "Maison des jeunes et de la culture de {c}", "Entraide numérique {c}",
        "Repair café de {c}", "Secours populaire — comité de {c}", "Union sportive de {c}",
        "Aide à domicile en milieu rural de {c}", "Théâtre en herbe de {c}",
        "Accueil des familles de {c}", "Vélo-école de {c}", "Alphabétisation pour tous {c}",
        "Amicale des locataires de {c}", "Épicerie solidaire de {c}", "Ciné-club de {c}",
        "Comité des fêtes de {c}", "Handisport {c}", "Les Amis de la nature de {c}",
        "Réseau d'échanges de savoirs de {c}", "Banque alimentaire — antenne de {c}",
    ],
    OrganisationType.ENTREPRISE: [
        "Boulangerie {s}", "Transports {s}", "{s} Bâtiment", "Imprimerie {s}",
        "Garage {s} et fils", "{s} Conseil", "Pharmacie {s}", "Menuiserie {s}",
        "Supermarché de {c}", "Agence immobilière {s}", "{s} Numérique", "Cabinet {s} expertise",
    ],
    OrganisationType.FONDATION: [
        "Fondation {s} pour l'enfance", "Fondation de {c} pour l'insertion",
        "Fondation {s} — territoires solidaires",
    ],
    OrganisationType.COLLECTIVITE: ["Mairie de {c}", "Centre communal d'action sociale de {c}"],
    OrganisationType.ETAT: [
        "France Travail — agence de {c}", "Direction départementale de l'emploi, du travail "
        "et des solidarités ({d})", "Sous-préfecture de {c}",
    ],
    OrganisationType.ENSEIGNEMENT: [
        "Collège {f} de {c}", "Lycée professionnel {f}", "École élémentaire {f} de {c}",
    ],
    OrganisationType.ACADEMIQUE: [
        "Laboratoire de sciences sociales de {c}", "Chaire économie sociale et solidaire ({d})",
    ],
    OrganisationType.RESEAU: [
        "Fédération des centres sociaux ({d})", "Le Mouvement associatif ({d})",
        "France Active ({d})", "Fédération départementale des foyers ruraux ({d})",
    ],
}
# How often each type appears among a territory's actors, roughly as on a real territory.
TYPE_WEIGHTS = {
    OrganisationType.ASSOCIATION: 55,
    OrganisationType.ENTREPRISE: 22,
    OrganisationType.FONDATION: 3,
    OrganisationType.COLLECTIVITE: 8,
    OrganisationType.ETAT: 3,
    OrganisationType.ENSEIGNEMENT: 5,
    OrganisationType.ACADEMIQUE: 1,
    OrganisationType.RESEAU: 3,
}
SECTORS = {
    OrganisationType.ASSOCIATION: ["S", "Q", "R", "P"],
    OrganisationType.ENTREPRISE: ["C", "F", "G", "H", "I", "J", "M"],
    OrganisationType.FONDATION: ["S", "Q"],
    OrganisationType.COLLECTIVITE: ["O"],
    OrganisationType.ETAT: ["O"],
    OrganisationType.ENSEIGNEMENT: ["P"],
    OrganisationType.ACADEMIQUE: ["M", "P"],
    OrganisationType.RESEAU: ["S"],
    OrganisationType.CATALYSEUR: ["S"],
}
ROLES = [
    ("admin@alliances.localhost", "Camille Admin", User.Role.ADMIN),
    ("animateur@alliances.localhost", "Antoine Animateur", User.Role.ANIMATEUR),
    ("analyste@alliances.localhost", "Anaïs Analyste", User.Role.ANALYSTE),
    ("participant@alliances.localhost", "Paula Participante", User.Role.PARTICIPANT),
]

COHORT_NAME = "Promotion 2026 — Val-de-Marne, Ille-et-Vilaine, Hautes-Alpes"
# The binômes of the pilot territories (the demo participant completes the first one),
# and an outside speaker. They have no password: they make the cohort look lived in.
COHORT_PEOPLE = [
    ("karim.benali@alliances.localhost", "Karim Benali", CohortRole.PARTICIPANT, 0),
    ("gwenaelle.lebihan@alliances.localhost", "Gwenaëlle Le Bihan", CohortRole.PARTICIPANT, 1),
    ("yann.kerherve@alliances.localhost", "Yann Kerhervé", CohortRole.PARTICIPANT, 1),
    ("elodie.blanc@alliances.localhost", "Élodie Blanc", CohortRole.PARTICIPANT, 2),
    ("lucas.chabert@alliances.localhost", "Lucas Chabert", CohortRole.PARTICIPANT, 2),
    ("ines.morel@alliances.localhost", "Inès Morel", CohortRole.INTERVENANT, None),
]
COHORT_AGE_DAYS = 120  # about four months in: the cohort is in its second phase


@dataclass
class DemoReport:
    communes: int = 0
    organisations: int = 0
    cohorts: int = 0
    resources: int = 0
    alliances: int = 0
    needs: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def demo_load(*, seed: int = 2018) -> DemoReport:
    """Load (or top up) the demo; reset the demo accounts' passwords and return them."""
    report = DemoReport()
    communes_import(
        path=DEMO_FILES / "communes.csv", populations_path=DEMO_FILES / "populations.csv"
    )
    epcis_import(path=DEMO_FILES / "epci.csv")
    commune_centres_import(DEMO_FILES / "centres.csv")
    report.communes = Commune.objects.count()
    with transaction.atomic():
        if not Organisation.objects.exists():
            report.organisations = _create_actors(random.Random(seed))
        report.accounts = _reset_accounts()
        if not Cohort.objects.exists():
            _create_cohort(random.Random(seed), today=timezone.localdate())
            report.cohorts = 1
        # Published, credited to the demo participant; a second run skips them all.
        report.resources = resources_import(
            path=DEMO_RESOURCES / "ressources.csv", files_dir=DEMO_RESOURCES / "fichiers",
            contributor=User.objects.get(email=DEMO_CONTRIBUTOR),
        ).imported
        # The observatory's surveys and waves, owned by the demo analyst; kept if present.
        observatory_demo(owner=User.objects.get(email="analyste@alliances.localhost"))
        # The ecosystem: alliances among the demo actors with their follow-up, the national
        # figures they are read against, and needs with contact requests.
        partner_benchmarks_demo()
        report.alliances = partnerships_demo(seed=seed)
        report.needs = needs_demo(seed=seed)
    return report


def _create_cohort(rng: random.Random, *, today: datetime.date) -> Cohort:
    """The public cohort in progress, made from the default programme."""
    programme = Programme.objects.get(slug="parcours-co-construction")
    start = today - datetime.timedelta(days=COHORT_AGE_DAYS)
    start -= datetime.timedelta(days=start.weekday())  # a Monday
    animateur = User.objects.get(email="animateur@alliances.localhost")
    cohort = cohort_create_from_programme(
        programme=programme, name=COHORT_NAME, start=start, created_by=animateur,
        status=CohortStatus.EN_COURS, visibility=CohortVisibility.PUBLIC,
    )
    territories = []
    for code in PILOT_DEPARTEMENTS:
        catalyst = (
            Organisation.objects.filter(type=OrganisationType.CATALYSEUR, departement_id=code)
            .select_related("commune__departement")
            .first()
        )
        commune = catalyst.commune if catalyst else None
        territories.append(pilot_territory_add(
            cohort=cohort,
            name=commune.departement.name if commune else code,
            commune=commune,
            organisation=catalyst,
        ))
    participants = [User.objects.get(email="participant@alliances.localhost")]
    cohort_member_add(cohort=cohort, user=participants[0], role=CohortRole.PARTICIPANT,
                      pilot_territory=territories[0])
    speaker = animateur
    for email, name, role, territory in COHORT_PEOPLE:
        user = User.objects.filter(email=email).first() or user_create(
            email=email, password=None, display_name=name
        )
        cohort_member_add(cohort=cohort, user=user, role=role,
                          pilot_territory=None if territory is None else territories[territory])
        if role == CohortRole.PARTICIPANT:
            participants.append(user)
        else:
            speaker = user
    now = timezone.now()
    for session in cohort.sessions.all():
        if session.end <= now:
            present = [p for p in participants if rng.random() < 0.85]
            attendance_record(session=session, present_user_ids=[p.pk for p in present],
                              recorded_by=animateur)
            for user in present[:3]:
                feedback_give(session=session, user=user, rating=rng.choice([3, 4, 4, 5, 5]),
                              comment=rng.choice(["", "Très concret.", "Riche en échanges."]))
        elif session.start - now < datetime.timedelta(days=60):
            for user in participants:
                if rng.random() < 0.7:
                    session_register(session=session, user=user)
    if speaker is not animateur:
        session = cohort.sessions.filter(kind="mise_en_situation").first()
        if session is not None:
            session_update(session=session, data={}, speakers=[speaker])
    for assignment in cohort.assignments.all():
        if assignment.due > today + datetime.timedelta(days=40):
            continue
        for user in participants:
            done = assignment.due < today and rng.random() < 0.8
            submission = submission_save(
                assignment=assignment, user=user, submit=done,
                text=f"{assignment.title} — {user} : premiers éléments rédigés en binôme.",
            )
            if done and submission.status == SubmissionStatus.RENDU and rng.random() < 0.5:
                submission_review(submission=submission, approve=True,
                                  feedback="Merci, c'est clair et étayé.")
    _create_codev_round(cohort, participants, animateur, today=today)
    _create_threads(cohort, participants, animateur)
    _create_plans(rng, cohort, start=start, today=today)
    return cohort


DEMO_ACTIONS = [
    ("Cartographier les acteurs de l'emploi avec la mission locale", 0, 60),
    ("Réunir le club d'entreprises et trois associations autour d'un atelier", 30, 90),
    ("Lancer une expérimentation collective sur la mobilité des jeunes", 75, 240),
]


def _create_plans(
    rng: random.Random, cohort: Cohort, *, start: datetime.date, today: datetime.date
) -> None:
    """Each pilot territory's bilan at T0 (validated), its cible at 36 months and a first
    trajectoire, through the services: the pictures and the cohort view have data."""
    for territory in cohort.pilot_territories.order_by("pk"):
        members = list(territory.members.select_related("user").order_by("pk"))
        if not members:
            continue
        author = members[0].user
        plan = plan_for_territory(pilot_territory=territory)
        bilan = bilan_create(
            plan=plan, moment=BilanMoment.T0, date=start + datetime.timedelta(days=14),
            user=author,
        )
        targets = {}
        for entry in bilan.entries.select_related("criterion").order_by("pk"):
            level = rng.choice([1, 1, 2, 2, 2, 3])
            entry_save(
                entry=entry, user=rng.choice(members).user, level=level,
                evidence="Constaté lors du premier atelier de l'équipe.", organisation_ids=(),
                revision=entry.revision,
            )
            targets[entry.criterion.code] = min(level + rng.choice([1, 1, 2]), 4)
        bilan_validate(bilan=bilan, user=author)
        target_set(plan=plan, horizon=Horizon.M36, levels=targets, user=author)
        for title, begin, end in DEMO_ACTIONS:
            action_create(
                plan=plan,
                data=TrajectoireAction(
                    title=title, start=start + datetime.timedelta(days=begin),
                    due=start + datetime.timedelta(days=end), owner_id=author.pk,
                    status=ActionStatus.DOING if start + datetime.timedelta(days=begin) <= today
                    else ActionStatus.TODO,
                ),
            )
        milestone_create(
            plan=plan, title="Pitch de la feuille de route",
            date=cohort.end,
        )


CODEV_NOTES = {
    "expose": "Notre forum des associations attire peu les entreprises : comment les associer "
              "dès la préparation ?",
    "clarification": "Qui, côté entreprises, connaît déjà le forum ? Le club d'entreprises "
                     "a-t-il été sollicité ?",
    "contrat": "J'attends deux ou trois pistes concrètes pour un premier rendez-vous avec le "
               "club d'entreprises.",
    "consultation": "Hypothèse : inviter les entreprises à co-animer un atelier plutôt qu'à "
                    "tenir un stand. Piste : passer par la CCI et le club local.",
    "synthese": "Je retiens l'atelier co-animé et un rendez-vous avec le club d'entreprises.",
    "apprentissages": "Formuler le contrat aide le groupe à rester utile.",
}


def _create_codev_round(cohort: Cohort, participants: list[User], animateur: User, *,
                        today: datetime.date) -> None:
    """A first co-development morning, held a week ago, with one finished round."""
    day = today - datetime.timedelta(days=7)
    session = session_create(
        cohort=cohort, kind="codeveloppement", title="Co-développement — premier cycle",
        start=paris_datetime(day, datetime.time(9, 30)),
        end=paris_datetime(day, datetime.time(12, 30)),
        place="Maison des associations de Créteil",
        agenda="1. Accueil\n2. Un tour de co-développement (six étapes)\n3. Retour collectif",
    )
    attendance_record(session=session, present_user_ids=[p.pk for p in participants],
                      recorded_by=animateur)
    client = participants[0]
    moment = session.start
    round = round_create(session=session, client=client, facilitator=animateur,
                         problem="Associer les entreprises au forum des associations")
    round = round_start(round=round, now=moment)
    for index, (step, text) in enumerate(CODEV_NOTES.items()):
        author = client if step in {"expose", "contrat", "synthese"} else participants[
            1 + index % (len(participants) - 1)]
        note_add(round=round, author=author, text=text)
        if step == "synthese":
            action_plan_save(round=round, items=[
                ActionInput("Rencontrer le club d'entreprises", day + datetime.timedelta(days=21)),
                ActionInput("Proposer un atelier co-animé au forum",
                            day + datetime.timedelta(days=60)),
            ])
        if step == "apprentissages":
            for user in participants[:3]:
                learning_save(round=round, user=user,
                              text="Poser des questions de clarification avant de conseiller.")
        moment += datetime.timedelta(minutes=codev.default_timeboxes()[step])
        round = round_next_step(round=round, now=moment)


def _create_threads(cohort: Cohort, participants: list[User], animateur: User) -> None:
    welcome = thread_create(
        cohort=cohort, author=animateur, title="Bienvenue dans la promotion 2026",
        body="Présentez-vous en quelques lignes : votre territoire, votre structure, ce que "
             "vous attendez du parcours.",
    )
    post_create(thread=welcome, author=participants[0],
                body="Bonjour à tous ! Maison des associations du Val-de-Marne, en binôme avec "
                     "Karim. Nous voulons associer davantage les entreprises.")
    territory = participants[0].cohort_memberships.get(cohort=cohort).pilot_territory
    thread_create(
        cohort=cohort, author=participants[0], pilot_territory=territory,
        title="Préparer notre bilan",
        body="On se répartit les axes du bilan ? Je prends le dialogue territorial.",
    )


def _create_actors(rng: random.Random) -> int:
    fragilities = list(Fragility.objects.all())
    made = 0
    used_identifiers: set[str] = set()
    for code in PILOT_DEPARTEMENTS:
        communes = list(Commune.objects.filter(departement_id=code).select_related("departement"))
        if not communes:
            continue
        main = max(communes, key=lambda c: c.population or 0)
        organisation_create(
            name=f"Maison des associations de {main.name}",
            type=OrganisationType.CATALYSEUR,
            commune=main,
            **_identifiers(rng, OrganisationType.ASSOCIATION, code, used_identifiers),
            description="Catalyseur territorial : accompagne les associations et crée des "
            "liens entre associations, entreprises et collectivités du territoire.",
            fragilities=rng.sample(fragilities, 3),
            sectors=SECTORS[OrganisationType.CATALYSEUR],
        )
        made += 1
        types = list(TYPE_WEIGHTS)
        weights = list(TYPE_WEIGHTS.values())
        names_taken: set[str] = set()
        target = made + ACTORS_PER_TERRITORY
        while made < target:
            kind = rng.choices(types, weights)[0]
            commune = rng.choice(communes)
            name = rng.choice(NAMES[kind]).format(
                c=commune.name, s=rng.choice(SURNAMES), f=rng.choice(FAMOUS),
                d=commune.departement.name,
            )
            if name in names_taken:
                continue
            names_taken.add(name)
            organisation_create(
                name=name,
                type=kind,
                commune=commune,
                **_identifiers(rng, kind, code, used_identifiers),
                address=f"{rng.randint(1, 120)} rue {rng.choice(FAMOUS)}",
                fragilities=rng.sample(fragilities, rng.randint(1, 3)),
                sectors=[rng.choice(SECTORS[kind])],
            )
            made += 1
    return made


def _identifiers(rng: random.Random, kind: str, dep: str, used: set[str]) -> dict[str, str]:
    if kind == OrganisationType.ASSOCIATION:
        return {"rna": _unique(rng, used, lambda: _rna(rng, dep))}
    if kind in {OrganisationType.ENTREPRISE, OrganisationType.FONDATION}:
        siren = _unique(rng, used, lambda: with_luhn_digit(str(rng.randint(10**7, 10**8 - 1))))
        return {"siren": siren, "siret": with_luhn_digit(siren + "0001")}
    return {}


def _rna(rng: random.Random, dep: str) -> str:
    return f"W{dep.zfill(2)[:2]}{rng.randint(1_000_000, 9_999_999)}"


def _unique(rng: random.Random, used: set[str], make) -> str:
    while (value := make()) in used:
        pass
    used.add(value)
    return value


def _reset_accounts() -> list[tuple[str, str, str]]:
    accounts = []
    catalyst = Organisation.objects.filter(type=OrganisationType.CATALYSEUR).first()
    for email, name, role in ROLES:
        password = secrets.token_urlsafe(9)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(email=email, password=password, display_name=name, role=role)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        if catalyst and role in {User.Role.PARTICIPANT, User.Role.ANIMATEUR}:
            membership_add(organisation=catalyst, user=user, role=Membership.Role.MANAGER)
        accounts.append((str(role.label), email, password))
    return accounts
