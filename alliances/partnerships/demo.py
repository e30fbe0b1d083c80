"""The alliances of the demo: about sixty partnerships among the demo organisations of the
three pilot départements (Ille-et-Vilaine, Val-de-Marne, Hautes-Alpes), with their dated
follow-up over up to 36 months.

Made through the services from a seeded generator: every type and form, every status,
amounts, fragilities, notes and indicator measures, a few private alliances. Some pairs of
actor types are left without any alliance on purpose, so the who-works-with-whom matrix has
missing links to suggest: no association works with a company in Hautes-Alpes, and no
school with a foundation anywhere. Idempotent: nothing is done when alliances exist.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from alliances.accounts.models import User
from alliances.actors.models import Organisation, OrganisationType
from alliances.territories.models import Commune

from .models import (
    Alliance,
    AllianceForm,
    AllianceStatus,
    AllianceType,
    IndicatorKind,
    PartnerRole,
)
from .selectors import add_months
from .services import PartnerSpec, alliance_create, followup_note_add, indicator_record

T = OrganisationType
DEPARTEMENTS = ("35", "94", "05")
PER_DEPARTEMENT = 20
# (département, type, type) pairs that never get an alliance: the matrix's missing links.
MISSING_LINKS = {("05", T.ASSOCIATION, T.ENTREPRISE)}
NEVER = {frozenset((T.ENSEIGNEMENT, T.FONDATION))}


@dataclass(frozen=True)
class Pattern:
    title: str
    description: str
    type: str
    form: str
    partners: tuple[tuple[str, str], ...]  # (actor type, role)
    fragilities: tuple[str, ...]
    money: tuple[int, int] = (0, 0)
    skill_days: tuple[int, int] = (0, 0)
    goods: str = ""
    indicators: tuple[str, ...] = (IndicatorKind.PEOPLE,)


PATTERNS = [
    Pattern(
        "Mécénat de compétences : ateliers numériques à {c}",
        "Des salariés de **{p1}** animent chaque mois des ateliers d'inclusion numérique "
        "avec les bénévoles de {p0} : démarches en ligne, messagerie, tri des arnaques.",
        AllianceType.MECENAT, AllianceForm.PARTENARIAT,
        ((T.ASSOCIATION, PartnerRole.PORTEUR), (T.ENTREPRISE, PartnerRole.FINANCEUR)),
        ("lien-social", "vieillissement"), money=(0, 3000), skill_days=(10, 40),
        indicators=(IndicatorKind.PEOPLE, IndicatorKind.SKILL_DAYS),
    ),
    Pattern(
        "Chantier d'insertion « espaces verts » de {c}",
        "Un chantier d'insertion porté par {p0}, soutenu par la commune et l'État : "
        "douze postes en contrat aidé, entretien des espaces verts et des berges, "
        "accompagnement vers l'emploi durable.",
        AllianceType.COOPERATION_ECONOMIQUE, AllianceForm.PARTENARIAT,
        ((T.ASSOCIATION, PartnerRole.PORTEUR), (T.COLLECTIVITE, PartnerRole.FINANCEUR),
         (T.ETAT, PartnerRole.FINANCEUR)),
        ("emploi", "environnement"), money=(40000, 180000),
        indicators=(IndicatorKind.JOBS, IndicatorKind.PEOPLE),
    ),
    Pattern(
        "Tiers-lieu des Communs à {c}",
        "Un tiers-lieu ouvert dans d'anciens locaux municipaux : atelier partagé, café "
        "associatif, permanences d'accès aux droits. Gouvernance partagée entre {p0} et "
        "{p1}.",
        AllianceType.INNOVATION_SOCIETALE, AllianceForm.EXPERIMENTATION,
        ((T.ASSOCIATION, PartnerRole.PORTEUR), (T.COLLECTIVITE, PartnerRole.PARTENAIRE),
         (T.RESEAU, PartnerRole.PARTENAIRE)),
        ("lien-social", "culture"), money=(15000, 60000), goods="Locaux de 300 m² prêtés",
        indicators=(IndicatorKind.PEOPLE, IndicatorKind.VOLUNTEERS),
    ),
    Pattern(
        "Épicerie solidaire : approvisionnement avec {p1}",
        "{p1} donne ses invendus et prête un camion frigorifique une fois par semaine "
        "à l'épicerie solidaire de {p0}.",
        AllianceType.MECENAT, AllianceForm.PARTENARIAT,
        ((T.ASSOCIATION, PartnerRole.PORTEUR), (T.ENTREPRISE, PartnerRole.PARTENAIRE)),
        ("precarite",), goods="Invendus alimentaires, prêt d'un camion frigorifique",
        indicators=(IndicatorKind.PEOPLE,),
    ),
    Pattern(
        "Mobilité rurale : transport solidaire autour de {c}",
        "Un service de transport solidaire à la demande pour les personnes sans voiture : "
        "chauffeurs bénévoles, véhicule financé par la collectivité, plateforme de "
        "réservation partagée.",
        AllianceType.INNOVATION_SOCIETALE, AllianceForm.EXPERIMENTATION,
        ((T.ASSOCIATION, PartnerRole.PORTEUR), (T.COLLECTIVITE, PartnerRole.FINANCEUR)),
        ("mobilite", "vieillissement"), money=(8000, 35000),
        indicators=(IndicatorKind.PEOPLE, IndicatorKind.VOLUNTEERS),
    ),
    Pattern(
        "Dialogue territorial sur l'emploi des jeunes ({c})",
        "Un cercle de dialogue réunit chaque trimestre entreprises, France Travail, "
        "établissements scolaires et associations de jeunesse pour ouvrir des stages et "
        "des alternances.",
        AllianceType.PRATIQUES_RESPONSABLES, AllianceForm.DIALOGUE,
        ((T.ETAT, PartnerRole.PORTEUR), (T.ENSEIGNEMENT, PartnerRole.PARTENAIRE),
         (T.ENTREPRISE, PartnerRole.PARTENAIRE)),
        ("jeunesse", "emploi"), indicators=(IndicatorKind.PEOPLE, IndicatorKind.JOBS),
    ),
    Pattern(
        "Achats responsables : clauses d'insertion avec {p0}",
        "{p0} réserve une part de ses achats aux structures de l'insertion et du handicap "
        "du territoire et forme ses acheteurs avec {p1}.",
        AllianceType.PRATIQUES_RESPONSABLES, AllianceForm.PARTENARIAT,
        ((T.ENTREPRISE, PartnerRole.PORTEUR), (T.RESEAU, PartnerRole.PARTENAIRE)),
        ("emploi", "handicap"), money=(5000, 40000),
        indicators=(IndicatorKind.MONEY, IndicatorKind.JOBS),
    ),
    Pattern(
        "Fonds local pour l'accès aux soins ({c})",
        "{p0} finance des consultations avancées et un médiateur santé, en lien avec le "
        "centre communal d'action sociale.",
        AllianceType.MECENAT, AllianceForm.PARTENARIAT,
        ((T.FONDATION, PartnerRole.FINANCEUR), (T.COLLECTIVITE, PartnerRole.PORTEUR)),
        ("sante", "precarite"), money=(20000, 90000),
        indicators=(IndicatorKind.PEOPLE, IndicatorKind.MONEY),
    ),
    Pattern(
        "Recherche-action sur l'isolement des aînés à {c}",
        "Une recherche-action menée par {p0} avec les associations de visiteurs à "
        "domicile : repérage, entretiens, expérimentation de « cafés des aînés ».",
        AllianceType.INNOVATION_SOCIETALE, AllianceForm.EXPERIMENTATION,
        ((T.ACADEMIQUE, PartnerRole.PORTEUR), (T.ASSOCIATION, PartnerRole.PARTENAIRE)),
        ("vieillissement", "lien-social"), money=(10000, 45000),
        indicators=(IndicatorKind.PEOPLE,),
    ),
    Pattern(
        "Coopération entre associations sportives et collège de {c}",
        "Créneaux partagés, éducateurs mis à disposition et section sport-santé pour les "
        "élèves éloignés de la pratique.",
        AllianceType.COOPERATION_ECONOMIQUE, AllianceForm.PARTENARIAT,
        ((T.ASSOCIATION, PartnerRole.PORTEUR), (T.ENSEIGNEMENT, PartnerRole.PARTENAIRE)),
        ("jeunesse", "sante"), skill_days=(5, 25), indicators=(IndicatorKind.PEOPLE,),
    ),
    Pattern(
        "Réseau des acteurs de l'emploi de {c}",
        "Le catalyseur territorial anime les rencontres mensuelles des acteurs de "
        "l'emploi : offres partagées, parcours coordonnés, forum annuel.",
        AllianceType.COOPERATION_ECONOMIQUE, AllianceForm.DIALOGUE,
        ((T.CATALYSEUR, PartnerRole.PORTEUR), (T.ETAT, PartnerRole.PARTENAIRE),
         (T.COLLECTIVITE, PartnerRole.PARTENAIRE)),
        ("emploi",), indicators=(IndicatorKind.PEOPLE, IndicatorKind.JOBS),
    ),
    Pattern(
        "Logements passerelles pour jeunes travailleurs ({c})",
        "{p1} met à disposition des logements vacants ; {p0} accompagne les jeunes "
        "locataires vers un logement autonome.",
        AllianceType.COOPERATION_ECONOMIQUE, AllianceForm.EXPERIMENTATION,
        ((T.ASSOCIATION, PartnerRole.PORTEUR), (T.COLLECTIVITE, PartnerRole.PARTENAIRE)),
        ("logement", "jeunesse"), goods="Six logements meublés", money=(5000, 20000),
        indicators=(IndicatorKind.PEOPLE,),
    ),
]

NOTES = [
    "Comité de pilotage : le calendrier est tenu, deux nouveaux bénévoles formés.",
    "Bilan d'étape partagé avec les financeurs ; le public touché est plus jeune que prévu.",
    "Difficulté de recrutement des encadrants : un poste reste vacant depuis deux mois.",
    "Visite des élus et de la presse locale ; demande d'essaimage dans la commune voisine.",
    "Convention renouvelée pour un an, avec un indicateur d'insertion ajouté.",
    "Réunion de coordination : meilleure articulation avec le centre social.",
    "Évaluation à mi-parcours : objectifs atteints à 80 %, budget tenu.",
]


def _pick(rng: random.Random, pools: dict[str, list[Organisation]], kind: str,
          taken: set[int]) -> Organisation | None:
    candidates = [o for o in pools.get(kind, []) if o.pk not in taken]
    return rng.choice(candidates) if candidates else None


def _allowed(dep: str, types: list[str]) -> bool:
    for i, a in enumerate(types):
        for b in types[i + 1:]:
            if (dep, a, b) in MISSING_LINKS or (dep, b, a) in MISSING_LINKS:
                return False
            if frozenset((a, b)) in NEVER:
                return False
    return True


def partnerships_demo(*, seed: int = 2018) -> int:
    """Make the demo alliances (none if alliances exist); return how many were made."""
    if Alliance.objects.exists():
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    author = User.objects.filter(email="participant@alliances.localhost").first()
    made = 0
    with transaction.atomic():
        for dep in DEPARTEMENTS:
            organisations = list(
                Organisation.objects.filter(departement_id=dep).select_related("commune")
            )
            if len(organisations) < 2:
                continue
            pools: dict[str, list[Organisation]] = {}
            for organisation in organisations:
                pools.setdefault(organisation.type, []).append(organisation)
            patterns = [p for p in PATTERNS if _allowed(dep, [t for t, _r in p.partners])]
            count = 0
            attempts = 0
            while count < PER_DEPARTEMENT and attempts < PER_DEPARTEMENT * 5:
                attempts += 1
                pattern = patterns[count % len(patterns)] if count < len(patterns) else (
                    rng.choice(patterns)
                )
                if _make(rng, pattern, pools, today, author, private=(count % 9 == 4)):
                    count += 1
            made += count
    return made


def _make(rng: random.Random, pattern: Pattern, pools: dict[str, list[Organisation]],
          today: datetime.date, author: User | None, *, private: bool) -> bool:
    taken: set[int] = set()
    partners = []
    for kind, role in pattern.partners:
        organisation = _pick(rng, pools, kind, taken)
        if organisation is None:
            return False
        taken.add(organisation.pk)
        partners.append(PartnerSpec(organisation, role))
    lead = partners[0].organisation
    commune: Commune | None = next(
        (p.organisation.commune for p in partners if p.organisation.commune_id), None
    )
    months_ago = rng.randint(0, 40)
    start = add_months(today, -months_ago).replace(day=rng.randint(1, 28))
    if months_ago < 2:
        status = AllianceStatus.PROJET
        start = add_months(today, rng.randint(1, 3))
    elif months_ago > 30 and rng.random() < 0.5:
        status = AllianceStatus.TERMINEE
    else:
        status = AllianceStatus.ACTIVE
    end = None
    if status == AllianceStatus.TERMINEE:
        end = add_months(start, rng.randint(18, months_ago - 1))
    elif rng.random() < 0.5:
        end = add_months(start, 36)
    names = {f"p{i}": p.organisation.name for i, p in enumerate(partners)}
    place = commune.name if commune else lead.name
    money = rng.randint(*pattern.money) if pattern.money[1] else None
    days = rng.randint(*pattern.skill_days) if pattern.skill_days[1] else None
    alliance = alliance_create(
        title=pattern.title.format(c=place, **names)[:200],
        type=pattern.type,
        form=pattern.form,
        start_date=start,
        end_date=end,
        status=status,
        partners=partners,
        commune=commune,
        departement=lead.departement if commune is None else None,
        money_eur=Decimal(money // 100 * 100) if money else None,
        skill_days=Decimal(days) if days else None,
        goods=pattern.goods,
        goods_value_eur=Decimal(rng.randint(20, 150) * 100) if pattern.goods else None,
        description=pattern.description.format(c=place, **names),
        fragilities=list(pattern.fragilities),
        is_public=not private,
        created_by=author,
    )
    _follow_up(rng, alliance, pattern, today, end, author)
    return True


def _follow_up(rng: random.Random, alliance: Alliance, pattern: Pattern,
               today: datetime.date, end: datetime.date | None, author: User | None) -> None:
    """Notes near most checkpoints (some missed: overdue), and quarterly-ish measures."""
    last = min(today, end or today)
    for months in (2, 6, 12, 18, 24, 36):
        day = add_months(alliance.start_date, months)
        if day > last or rng.random() < 0.25:
            continue
        followup_note_add(alliance=alliance, date=day, text=rng.choice(NOTES), author=author)
    for kind in pattern.indicators:
        level = Decimal(rng.randint(5, 40))
        total = Decimal(0)
        for months in range(3, 37, rng.choice((3, 6))):
            day = add_months(alliance.start_date, months)
            if day > last:
                break
            if kind == IndicatorKind.MONEY:
                total += Decimal(rng.randint(10, 80) * 100)
            else:
                total += (level * Decimal(rng.randint(5, 15)) / 10).quantize(Decimal("1"))
            indicator_record(alliance=alliance, kind=kind, date=day, value=total, author=author)
