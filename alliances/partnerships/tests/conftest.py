from alliances.actors.tests.fixtures import *  # noqa: F403
