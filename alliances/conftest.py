"""Shared fixtures: the personas every view is tested with, made through the services."""

import pytest

from alliances.accounts.models import User
from alliances.accounts.services import user_create

pytest_plugins = ["alliances.testing.browser"]

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def admin(db) -> User:
    return user_create(email="admin@example.org", password=PASSWORD, role=User.Role.ADMIN,
                       display_name="Alice Admin")


@pytest.fixture
def animateur(db) -> User:
    return user_create(email="animateur@example.org", password=PASSWORD,
                       role=User.Role.ANIMATEUR, display_name="Antoine Animateur")


@pytest.fixture
def analyste(db) -> User:
    return user_create(email="analyste@example.org", password=PASSWORD,
                       role=User.Role.ANALYSTE, display_name="Anaïs Analyste")


@pytest.fixture
def participant(db) -> User:
    return user_create(email="participant@example.org", password=PASSWORD,
                       role=User.Role.PARTICIPANT, display_name="Paul Participant")


@pytest.fixture
def outsider(db) -> User:
    return user_create(email="outsider@example.org", password=PASSWORD,
                       role=User.Role.PARTICIPANT, display_name="Olga Outsider")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Data migrations whose rows every test may rely on (regions, départements, fragilities,
# NAF sections). A transactional test ends with a flush that empties them, so they are
# loaded again at the start of each transactional test.
REFERENCE_DATA_MIGRATIONS = [
    "alliances.territories.migrations.0002_regions_departements",
    "alliances.actors.migrations.0002_fragilities_sectors",
    "alliances.journeys.migrations.0002_step_kinds_default_programme",
    "alliances.diagnostics.migrations.0002_default_grid",
    "alliances.resources.migrations.0003_default_referentiel",
]


@pytest.fixture(autouse=True)
def _reference_data(request) -> None:
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if not (transactional or {"transactional_db", "live_server"} & set(request.fixturenames)):
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps

    for module in REFERENCE_DATA_MIGRATIONS:
        import_module(module).load(apps, None)
    # The search index's tables are not models: the flush that ends a transactional test
    # leaves them full, so the next one would find the earlier test's resources.
    from alliances.resources import search

    search.clear()


@pytest.fixture(autouse=True)
def _private_caches(settings) -> None:
    """Each test gets empty in-memory caches: no page cached by another test, or run."""
    settings.CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
        for alias in ("default", "pages", "cohort_pages")
    }
    from django.core.cache import caches

    for alias in ("default", "pages", "cohort_pages"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language (French): a request made in English by an
    earlier test of the same worker must not leak into messages read outside a request."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield
