from alliances.actors.tests.fixtures import *  # noqa: F403

from .fixtures import *  # noqa: F403
