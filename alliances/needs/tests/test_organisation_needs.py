"""The snippet for an organisation's page: its open needs, and the link to post one for its
members and admins only, in a fixed number of queries."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from alliances.needs.models import HelpKind
from alliances.needs.services import need_create

pytestmark = pytest.mark.django_db

SNIPPET = Template("{% load needs_tags %}{% organisation_needs organisation %}")


def render(organisation, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return SNIPPET.render(Context({"organisation": organisation, "user": user,
                                   "request": request}))


def test_open_needs_and_the_post_link(land, need, participant, outsider, admin,
                                      django_assert_max_num_queries):
    need_create(organisation=land.home, title="Besoin clos", kind=HelpKind.LIEU, status="clos")
    with django_assert_max_num_queries(2):
        html = render(land.home, participant)
    assert need.title.replace("'", "&#x27;") in html and "Besoin clos" not in html
    assert f"?organisation={land.home.pk}" in html
    assert f"?organisation={land.home.pk}" in render(land.home, admin)
    assert f"?organisation={land.home.pk}" not in render(land.home, outsider)
