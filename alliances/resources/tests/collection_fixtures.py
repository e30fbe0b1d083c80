"""Fixtures of the collection tests: the parcours' cohort (its animateur and participant),
another animateur, published resources and a draft, a public and a private collection of a
session of the cohort — all made through the services.

Imported by the collection test modules (`from .collection_fixtures import *`).
"""

import pytest

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.journeys.models import Session
from alliances.journeys.tests.conftest import (  # noqa: F401 (fixtures)
    START,
    cohort,
    intervenant,
    other_cohort,
    other_participant,
    programme,
)
from alliances.resources.collections import collection_create, collection_item_add
from alliances.resources.models import Collection, Resource, ResourceKind, ResourceStatus
from alliances.resources.testing import make_resource


@pytest.fixture
def other_animateur(db, password) -> User:
    return user_create(email="autre-animatrice@example.org", password=password,
                       role=User.Role.ANIMATEUR, display_name="Agathe Autre")


@pytest.fixture
def session(cohort) -> Session:  # noqa: F811 (the fixture)
    return cohort.sessions.order_by("start", "id").first()


@pytest.fixture
def resources(db) -> list[Resource]:
    return [
        make_resource(title="Fiche pratique : animer un dialogue territorial"),
        make_resource(title="Méthode : cartographier les acteurs du territoire",
                      kind=ResourceKind.METHODE,
                      summary="Repérer associations, entreprises et collectivités."),
        make_resource(title="Témoignage : une coopération économique à Créteil",
                      kind=ResourceKind.TEMOIGNAGE,
                      summary="Une entreprise et une association construisent une offre."),
    ]


@pytest.fixture
def draft(participant) -> Resource:
    return make_resource(by=participant, title="Brouillon : coopérer entre voisins",
                         status=ResourceStatus.DRAFT)


@pytest.fixture
def public_collection(animateur, session, resources) -> Collection:
    collection = collection_create(
        by=animateur, title="Pour la séance de lancement", session=session,
        description="Trois lectures avant de venir.",
    )
    for resource in resources[:2]:
        collection_item_add(collection=collection, resource=resource, note="À lire avant")
    return collection


@pytest.fixture
def private_collection(animateur, session, resources) -> Collection:
    collection = collection_create(
        by=animateur, title="Sélection réservée à la promotion", session=session,
        is_public=False,
    )
    collection_item_add(collection=collection, resource=resources[2])
    return collection
