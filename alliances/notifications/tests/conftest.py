"""The journeys' cohort fixtures, and helpers to make notifications through the service."""

import pytest

from alliances.journeys.tests.conftest import *  # noqa: F403, F401

IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate_tasks(settings) -> None:
    """Enqueued tasks run at once, in the test's process."""
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture
def site_url(settings) -> str:
    settings.SITE_URL = "https://alliances.example.org"
    return settings.SITE_URL
