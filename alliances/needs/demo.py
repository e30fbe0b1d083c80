"""The needs' demo: about fifteen needs of demo organisations in the three pilot
départements, and contact requests pending, accepted and declined — among them some of the
demo participant's organisation (the catalyst it manages), so that signing in as the demo
participant shows a request to answer and one already accepted.

Made through the services (notifications included). A few demo people without a password
join a foundation, a company, a local authority and an association of the participant's
département to write and answer. Idempotent: once any need exists, nothing is added.
"""

import random

from django.db import transaction

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.actors.models import Membership, Organisation, OrganisationType
from alliances.actors.services import membership_add

from .models import HelpKind, Need
from .services import contact_request_answer, contact_request_send, need_create

DEMO_PARTICIPANT = "participant@alliances.localhost"
PILOT_DEPARTEMENTS = ["94", "35", "05"]

# (title, description, kind of help, fragility)
ASSOCIATION_NEEDS = [
    ("Financer un atelier de préparation aux entretiens d'embauche",
     "Nous accompagnons une trentaine de demandeurs d'emploi par an. Il nous manque **8 000 €** "
     "pour ouvrir un second atelier hebdomadaire.", HelpKind.FINANCEMENT, "emploi"),
    ("Des bénévoles pour les visites de convivialité",
     "Rendre visite, une fois par semaine, à des personnes âgées isolées de la commune.",
     HelpKind.BENEVOLES, "vieillissement"),
    ("Une salle pour l'aide aux devoirs",
     "Deux soirs par semaine, 17 h – 19 h, pour une quinzaine d'élèves de collège.",
     HelpKind.LIEU, "education"),
    ("Des ordinateurs reconditionnés pour nos ateliers numériques",
     "Une dizaine de portables, même anciens : nous les remettons en état avec les "
     "participants.", HelpKind.MATERIEL, "precarite"),
    ("Un appui comptable pour notre épicerie solidaire",
     "Quelques demi-journées d'un ou d'une comptable pour mettre en place nos tableaux de "
     "bord.", HelpKind.COMPETENCES, "precarite"),
    ("Financer un minibus pour les sorties des jeunes",
     "Le minibus permettrait d'emmener les jeunes du quartier aux activités de la "
     "métropole.", HelpKind.FINANCEMENT, "mobilite"),
    ("Des bénévoles pour le repair café du samedi",
     "Bricoleurs et bricoleuses bienvenus, un samedi par mois.", HelpKind.BENEVOLES,
     "environnement"),
    ("Un local de stockage pour la collecte alimentaire",
     "Environ 20 m², au sec, accessible en camionnette.", HelpKind.LIEU, "precarite"),
]
CATALYST_NEEDS = [
    ("Financer le forum des alliances du territoire",
     "Un après-midi pour faire se rencontrer associations, entreprises et collectivités "
     "autour de l'emploi des jeunes.", HelpKind.FINANCEMENT, "emploi"),
    ("Des compétences en animation de réseau",
     "Un appui pour concevoir notre programme d'animation et de **dialogue territorial**.",
     HelpKind.COMPETENCES, "lien-social"),
]
# Demo people without a password: they make the requests look lived in.
PEOPLE = {
    OrganisationType.FONDATION: ("claire.roussel@alliances.localhost", "Claire Roussel"),
    OrganisationType.ENTREPRISE: ("mehdi.haddad@alliances.localhost", "Mehdi Haddad"),
    OrganisationType.COLLECTIVITE: ("sophie.marchand@alliances.localhost", "Sophie Marchand"),
    OrganisationType.ASSOCIATION: ("julien.perret@alliances.localhost", "Julien Perret"),
}


def _person(email: str, name: str, organisation: Organisation) -> User:
    user = User.objects.filter(email=email).first() or user_create(
        email=email, password=None, display_name=name
    )
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        membership_add(organisation=organisation, user=user, role=Membership.Role.MANAGER)
    return user


@transaction.atomic
def needs_demo(*, seed: int = 2018) -> int:
    """Create the demo needs and contact requests; returns the number of needs made."""
    if Need.objects.exists():
        return 0
    rng = random.Random(seed)
    participant = User.objects.filter(email=DEMO_PARTICIPANT).first()
    catalyst = (
        Organisation.objects.filter(memberships__user=participant).first()
        if participant else None
    )
    made = 0
    association_needs: dict[str, list[Need]] = {}
    for index, code in enumerate(PILOT_DEPARTEMENTS):
        associations = list(
            Organisation.objects.filter(
                departement_id=code, type=OrganisationType.ASSOCIATION, is_public=True
            ).order_by("pk")
        )
        if not associations:
            continue
        picked = rng.sample(associations, min(4, len(associations)))
        for position, organisation in enumerate(picked):
            title, description, kind, fragility = ASSOCIATION_NEEDS[
                (index * 3 + position) % len(ASSOCIATION_NEEDS)
            ]
            need = need_create(organisation=organisation, title=title, description=description,
                               kind=kind, fragility=fragility)
            association_needs.setdefault(code, []).append(need)
            made += 1
    catalyst_needs = []
    if catalyst is not None:
        for title, description, kind, fragility in CATALYST_NEEDS:
            catalyst_needs.append(need_create(
                organisation=catalyst, title=title, description=description, kind=kind,
                fragility=fragility, created_by=participant,
            ))
            made += 1
    if catalyst is not None and catalyst.departement_id:
        _contact_requests(rng, participant, catalyst, catalyst_needs,
                          association_needs.get(catalyst.departement_id, []))
    return made


def _first_of(departement: str, type: str) -> Organisation | None:
    return (
        Organisation.objects.filter(departement_id=departement, type=type, is_public=True)
        .order_by("pk").first()
    )


def _contact_requests(rng: random.Random, participant: User, catalyst: Organisation,
                      catalyst_needs: list[Need], association_needs: list[Need]) -> None:
    people: dict[str, tuple[Organisation, User]] = {}
    for type, (email, name) in PEOPLE.items():
        if type == OrganisationType.ASSOCIATION:
            organisation = association_needs[0].organisation if association_needs else None
        else:
            organisation = _first_of(catalyst.departement_id, type)
        if organisation is not None:
            people[type] = (organisation, _person(email, name, organisation))
    funding, skills = catalyst_needs
    if OrganisationType.FONDATION in people:
        foundation, claire = people[OrganisationType.FONDATION]
        # Waiting for the demo participant's answer.
        contact_request_send(
            need=funding, sender=foundation, recipient=catalyst, user=claire,
            message="Bonjour, notre fondation soutient les actions pour l'emploi des jeunes : "
            "nous aimerions en savoir plus sur votre forum.",
        )
    if OrganisationType.ENTREPRISE in people:
        company, mehdi = people[OrganisationType.ENTREPRISE]
        request = contact_request_send(
            need=skills, sender=catalyst, recipient=company, user=participant,
            message="Bonjour, votre entreprise pourrait-elle nous apporter quelques jours de "
            "mécénat de compétences ?",
        )
        contact_request_answer(request=request, user=mehdi, accept=True,
                               reply="Avec plaisir, appelons-nous la semaine prochaine.")
    if OrganisationType.COLLECTIVITE in people:
        town, sophie = people[OrganisationType.COLLECTIVITE]
        request = contact_request_send(
            need=skills, sender=catalyst, recipient=town, user=participant,
            message="Bonjour, vos équipes pourraient-elles partager leur expérience "
            "d'animation de réseau ?",
        )
        contact_request_answer(request=request, user=sophie, accept=False,
                               reply="Nos équipes ne sont pas disponibles cette année.")
    if OrganisationType.ASSOCIATION in people and association_needs:
        association, julien = people[OrganisationType.ASSOCIATION]
        need = association_needs[0]
        if OrganisationType.ENTREPRISE in people:
            company, mehdi = people[OrganisationType.ENTREPRISE]
            request = contact_request_send(
                need=need, sender=company, recipient=association, user=mehdi,
                message="Nous pouvons vous aider : parlons-en.",
            )
            contact_request_answer(request=request, user=julien, accept=True)
        if OrganisationType.FONDATION in people:
            foundation, _claire = people[OrganisationType.FONDATION]
            contact_request_send(
                need=need, sender=association, recipient=foundation, user=julien,
                message=rng.choice([
                    "Bonjour, votre fondation pourrait-elle soutenir notre projet ?",
                    "Bonjour, nous cherchons un partenaire pour ce projet : en parlons-nous ?",
                ]),
            )
