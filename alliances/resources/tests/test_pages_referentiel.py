"""/ressources/referentiel/: the numbered tree with its counts, and each node's page."""

import re
from html import unescape

import pytest
from django.urls import reverse

from alliances.resources.models import ReferentielNode, ResourceStatus
from alliances.resources.selectors import referentiel_tree
from alliances.resources.testing import make_resource

pytestmark = pytest.mark.django_db

URL = reverse("resources:referentiel")


def main_of(response) -> str:
    return unescape(response.content.decode().split("<main", 1)[1].split("</main>", 1)[0])


@pytest.fixture
def tree():
    """Part 2, its first chapter (2.1) and that chapter's first question (2.1.1)."""
    part = referentiel_tree()[1]
    chapter = part.children[0]
    return {"part": part, "chapter": chapter, "question": chapter.children[0]}


@pytest.fixture
def filed(tree, participant):
    chapter, question = tree["chapter"].node, tree["question"].node
    return {
        "on_chapter": make_resource(by=participant, title="Sur le chapitre", nodes=[chapter]),
        "on_both": make_resource(by=participant, title="Sur les deux",
                                 nodes=[chapter, question]),
        "on_question": make_resource(by=participant, title="Sur la question", nodes=[question]),
        "draft": make_resource(by=participant, title="Brouillon rangé", nodes=[question],
                               status=ResourceStatus.DRAFT),
    }


def count_after(html: str, pk: int) -> int:
    match = re.search(
        rf'href="/ressources/referentiel/{pk}/">.*?<span class="node-count[^"]*">(\d+) ressource',
        html, re.S,
    )
    assert match, pk
    return int(match.group(1))


def test_the_tree_is_numbered_with_published_counts(client, tree, filed):
    response = client.get(URL)
    assert response.status_code == 200
    html = main_of(response)
    assert html.count('<span class="node-number">') == ReferentielNode.objects.count()
    assert '<span class="node-number">1</span> Les enjeux des territoires' in html
    assert '<span class="node-number">2.1.1</span>' in html
    # Each resource counts once per node, with its descendants'; drafts not at all.
    assert count_after(html, tree["question"].pk) == 2
    assert count_after(html, tree["chapter"].pk) == 3
    assert count_after(html, tree["part"].pk) == 3
    assert count_after(html, referentiel_tree()[0].pk) == 0
    assert "Référentiel de la co-construction territoriale" in html


def test_a_node_page_lists_its_resources_then_its_descendants_marked(client, tree, filed):
    chapter = tree["chapter"]
    response = client.get(reverse("resources:node", args=[chapter.pk]))
    assert response.status_code == 200
    html = main_of(response)
    assert f'<span class="node-number">{chapter.number}</span> {chapter.title}</h1>' in html
    assert "Chapitre 2.1" in html
    # The breadcrumb goes through the part.
    assert f'href="/ressources/referentiel/{tree["part"].pk}/">2 ' in html
    # Its questions, numbered.
    assert f'<span class="node-number">{tree["question"].number}</span>' in html
    listed = re.findall(r'<li>\s*<a href="/ressources/(\d+)/">', html)
    own = {filed["on_chapter"].pk, filed["on_both"].pk}
    assert set(int(pk) for pk in listed[:2]) == own
    assert int(listed[2]) == filed["on_question"].pk
    assert len(listed) == 3
    assert html.count("via 2.1.1") == 1
    assert "Brouillon" not in html
    assert "3 ressources publiées" in html


def test_a_part_shows_its_description_and_chapters(client, tree):
    part = tree["part"]
    html = main_of(client.get(reverse("resources:node", args=[part.pk])))
    assert "Partie 2" in html and "Chapitres" in html
    assert part.node.description
    assert part.node.description[:40] in html
    assert "Aucune ressource publiée ne sert encore cette partie du référentiel." in html


def test_a_question_has_no_sub_list(client, tree):
    html = main_of(client.get(reverse("resources:node", args=[tree["question"].pk])))
    assert "Question 2.1.1" in html
    assert "<h2>Questions</h2>" not in html


def test_unknown_node_is_404(client, db):
    assert client.get(reverse("resources:node", args=[99999])).status_code == 404


@pytest.mark.parametrize("who", [None, "admin", "animateur", "participant", "outsider"])
def test_everyone_sees_the_published_resources_only(client, tree, filed, request, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 200
    html = main_of(client.get(reverse("resources:node", args=[tree["question"].pk])))
    assert "Sur la question" in html and "Brouillon rangé" not in html


def test_titles_render_inert(client, tree, participant):
    question = tree["question"].node
    question.title = '<script>alert(1)</script>'
    question.description = '<img src=x onerror=alert(2)>'
    question.save()
    make_resource(by=participant, title='<svg onload=alert(3)>', nodes=[question],
                  summary="<script>alert(4)</script>")
    for url in (URL, reverse("resources:node", args=[question.pk])):
        raw = client.get(url).content.decode().split("<main", 1)[1]
        assert "<script" not in raw and "<img" not in raw and "<svg" not in raw
        assert "&lt;script&gt;" in raw


def test_node_pages_paginate(client, tree, participant):
    for n in range(23):
        make_resource(by=participant, title=f"Fiche {n:02}", nodes=[tree["question"].node])
    url = reverse("resources:node", args=[tree["question"].pk])
    first, second = main_of(client.get(url)), main_of(client.get(url, {"page": 2}))
    assert len(re.findall(r'<li>\s*<a href="/ressources/\d+/">', first)) == 20
    assert len(re.findall(r'<li>\s*<a href="/ressources/\d+/">', second)) == 3
    assert 'rel="next"' in first
    # A bad page number falls back to a page that exists.
    assert client.get(url, {"page": "abc"}).status_code == 200
    assert client.get(url, {"page": "99"}).status_code == 200


def test_query_counts(client, tree, participant, django_assert_max_num_queries):
    nodes = [item.node for item in (tree["part"], tree["chapter"], tree["question"])]
    for n in range(25):
        make_resource(by=participant, title=f"Fiche {n}", nodes=nodes[n % 3:])
    with django_assert_max_num_queries(2):  # the tree, the counts
        client.get(URL)
    # The tree, the count, the page, its rows' nodes, the counts of the children.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("resources:node", args=[tree["part"].pk]))
    assert len(re.findall(r'<li>\s*<a href="/ressources/\d+/">', main_of(response))) == 20
