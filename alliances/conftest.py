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
