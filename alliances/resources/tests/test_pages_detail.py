"""/ressources/<pk>/: the resource page, its files, related resources; who sees what."""

import datetime
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliances.actors.models import Organisation, OrganisationType
from alliances.actors.services import organisation_create
from alliances.journeys.models import ProgrammeStep
from alliances.resources.models import (
    Licence,
    ReferentielNode,
    ResourceKind,
    ResourceLink,
    ResourceStatus,
)
from alliances.resources.selectors import node_numbers
from alliances.resources.services import resource_file_add, resource_update
from alliances.resources.testing import make_resource
from alliances.territories.models import Departement, Region

pytestmark = pytest.mark.django_db

XSS_TITLE = '<script>alert("titre")</script><img src=x onerror=alert(1)>'
XSS_BODY = "\n\n".join([
    "<script>alert('corps')</script>",
    "[clique](javascript:alert(1))",
    '<a href="javascript:alert(2)">lien brut</a>',
    "<img src=x onerror=alert(3)>",
    '<svg onload=alert(4)></svg>',
    "![image](javascript:alert(5))",
    '<iframe src="https://evil.example"></iframe>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==)",
])


def main_of(response) -> str:
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def assert_inert(html: str) -> None:
    """No script, no tag with an event handler or a javascript:/data: address (as text,
    escaped, they are harmless)."""
    assert "<script" not in html.lower()
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.IGNORECASE), html
    assert not re.search(
        r"""<[a-z][^<>]*\s(href|src)\s*=\s*["']?\s*(javascript|data):""", html, re.I
    )
    for tag in ("<img", "<svg", "<iframe"):
        assert tag not in html.lower()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def full(participant, animateur):
    """A published resource with every kind of information."""
    node = ReferentielNode.objects.get(title="Le dialogue territorial")
    step = ProgrammeStep.objects.select_related("phase__programme").first()
    organisation = organisation_create(name="Maison des associations",
                                       type=OrganisationType.ASSOCIATION)
    resource = make_resource(
        by=participant, title="Animer un dialogue territorial", kind=ResourceKind.METHODE,
        summary="Réunir les acteurs autour d'une table.",
        body="## Étapes\n\n1. **Cartographier** les acteurs\n2. Les inviter",
        authors="Claire Martin, Karim Benali",
        region=Region.objects.get(pk="11"), departement=Departement.objects.get(pk="94"),
        issued_on=datetime.date(2025, 3, 14), licence=Licence.CC_BY,
        tags=[("forme", "dialogue_territorial"), ("fragilite", "emploi")],
        nodes=[node], steps=[step], organisations=[organisation],
        links=[("https://www.fun-mooc.fr/fr/cours/cooperer/", "Le MOOC Coopérer")],
    )
    resource_file_add(resource=resource, by=participant,
                      upload=SimpleUploadedFile("guide.docx", b"PK\x03\x04 contenu"))
    resource.refresh_from_db()
    return {"resource": resource, "node": node, "step": step, "organisation": organisation}


def test_the_page_shows_everything_about_a_resource(client, full):
    resource, node = full["resource"], full["node"]
    response = client.get(resource.get_absolute_url())
    assert response.status_code == 200
    html = unescape(main_of(response))
    assert "<h1>Animer un dialogue territorial</h1>" in html
    assert "Méthode" in html
    assert "<h4>Étapes</h4>" in html and "<strong>Cartographier</strong>" in html
    assert "Claire Martin, Karim Benali" in html
    organisation_url = full["organisation"].get_absolute_url()
    assert f'<a href="{organisation_url}">Maison des associations</a>' in html
    assert "Val-de-Marne" in html and "Île-de-France" in html
    assert "14 mars 2025" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/deed.fr"' in html
    assert "Proposée par" in html and "Paul Participant" in html
    assert re.search(r"<dt>Version</dt>\s*<dd>2 ·", html)  # the file added a version
    # Tags link to the search page filtered by them.
    assert 'href="/ressources/?tag=forme%3Adialogue_territorial"' in html
    assert 'href="/ressources/?tag=fragilite%3Aemploi"' in html
    # The référentiel node, numbered.
    number = node_numbers()[node.pk]
    assert (f'<a href="/ressources/referentiel/{node.pk}/">'
            f'<span class="node-number">{number}</span>') in html
    assert full["step"].title in html
    # External link: safe rel, its host shown.
    assert ('<a href="https://www.fun-mooc.fr/fr/cours/cooperer/" rel="noopener noreferrer">'
            "Le MOOC Coopérer</a>") in html
    assert "(www.fun-mooc.fr)" in html
    attached = resource.files.get()
    assert reverse("resources:file", args=[resource.pk, attached.pk]) in html


def test_related_resources_share_nodes_or_tags_most_first(client, full, participant):
    resource, node = full["resource"], full["node"]
    one_tag = make_resource(by=participant, title="Une étiquette en commun",
                            tags=[("fragilite", "emploi")])
    node_and_tag = make_resource(by=participant, title="Nœud et étiquette en commun",
                                 tags=[("forme", "dialogue_territorial")], nodes=[node])
    three = make_resource(by=participant, title="Trois en commun", nodes=[node],
                          tags=[("forme", "dialogue_territorial"), ("fragilite", "emploi")])
    make_resource(by=participant, title="Rien en commun", tags=[("type", "mecenat")])
    make_resource(by=participant, title="Brouillon voisin", nodes=[node],
                  status=ResourceStatus.DRAFT)
    html = main_of(client.get(resource.get_absolute_url()))
    related = html.split('id="related-title"', 1)[1]
    found = re.findall(r'<li><a href="/ressources/(\d+)/">', related)
    assert [int(pk) for pk in found] == [three.pk, node_and_tag.pk, one_tag.pk]


def test_xss_payloads_render_inert(client, participant):
    resource = make_resource(by=participant, title=XSS_TITLE, summary=XSS_TITLE,
                             body=XSS_BODY, authors=XSS_TITLE)
    # Hand-made rows: the service refuses such addresses; the page must not trust them.
    ResourceLink.objects.create(resource=resource, url="javascript:alert(7)", title="js")
    ResourceLink.objects.create(resource=resource, url=" JavaScript:alert(8)", title="js2")
    response = client.get(resource.get_absolute_url())
    html = main_of(response)
    assert_inert(html)
    assert "&lt;script&gt;alert(&quot;titre&quot;)&lt;/script&gt;" in html
    assert "lien brut" in html  # shown as text


@pytest.mark.parametrize(
    ("who", "status", "seen"),
    [
        (None, ResourceStatus.PUBLISHED, True),
        ("admin", ResourceStatus.PUBLISHED, True),
        ("animateur", ResourceStatus.PUBLISHED, True),
        ("analyste", ResourceStatus.PUBLISHED, True),
        ("participant", ResourceStatus.PUBLISHED, True),
        ("outsider", ResourceStatus.PUBLISHED, True),
        (None, ResourceStatus.DRAFT, False),
        ("admin", ResourceStatus.DRAFT, True),
        ("animateur", ResourceStatus.DRAFT, True),
        ("analyste", ResourceStatus.DRAFT, False),
        ("participant", ResourceStatus.DRAFT, True),  # the contributor
        ("outsider", ResourceStatus.DRAFT, False),
        (None, ResourceStatus.SUBMITTED, False),
        ("animateur", ResourceStatus.SUBMITTED, True),
        ("outsider", ResourceStatus.REFUSED, False),
        ("participant", ResourceStatus.REFUSED, True),
    ],
)
def test_who_sees_the_page_and_its_files(client, participant, request, who, status, seen):
    resource = make_resource(by=participant, title="Une fiche", status=status)
    attached = resource_file_add(resource=resource, by=participant,
                                 upload=SimpleUploadedFile("notes.odt", b"PK\x03\x04 odt"))
    if who:
        client.force_login(request.getfixturevalue(who))
    page = client.get(resource.get_absolute_url())
    download = client.get(reverse("resources:file", args=[resource.pk, attached.pk]))
    assert page.status_code == (200 if seen else 404)
    assert download.status_code == (200 if seen else 404)
    if seen:
        assert download["Content-Disposition"] == 'attachment; filename="notes.odt"'
        assert download["X-Content-Type-Options"] == "nosniff"
        assert b"".join(download.streaming_content) == b"PK\x03\x04 odt"
        banner = 'class="status-banner"' in page.content.decode()
        assert banner == (status != ResourceStatus.PUBLISHED)


def test_the_status_banner_says_why_and_who(client, participant):
    resource = make_resource(by=participant, title="Une fiche", status=ResourceStatus.DRAFT)
    client.force_login(participant)
    html = unescape(main_of(client.get(resource.get_absolute_url())))
    assert "Cette ressource n’est pas publiée (brouillon)" in html


def test_a_file_of_another_resource_or_missing_is_404(client, participant):
    one = make_resource(by=participant, title="Une")
    other = make_resource(by=participant, title="Autre")
    attached = resource_file_add(resource=one, by=participant,
                                 upload=SimpleUploadedFile("a.odt", b"PK\x03\x04"))
    assert client.get(reverse("resources:file", args=[other.pk, attached.pk])).status_code == 404
    assert client.get(reverse("resources:file", args=[one.pk, attached.pk + 99])).status_code == 404
    attached.file.storage.delete(attached.file.name)
    assert client.get(reverse("resources:file", args=[one.pk, attached.pk])).status_code == 404


def test_unknown_resource_is_404(client, db):
    assert client.get(reverse("resources:detail", args=[999])).status_code == 404


def test_it_rejects_post(client, participant):
    resource = make_resource(by=participant)
    assert client.post(resource.get_absolute_url()).status_code == 405


def test_an_unpublished_resource_no_longer_shows(client, participant):
    resource = make_resource(by=participant, title="Bientôt retirée")
    assert client.get(resource.get_absolute_url()).status_code == 200
    from alliances.resources.models import Resource

    Resource.objects.filter(pk=resource.pk).update(status=ResourceStatus.DRAFT)
    resource_update(resource=resource, by=participant, title="Retirée")
    assert client.get(resource.get_absolute_url()).status_code == 404


def test_query_count(client, full, participant, django_assert_max_num_queries):
    resource = full["resource"]
    for n in range(8):
        make_resource(by=participant, title=f"Voisine {n}", nodes=[full["node"]],
                      tags=[("fragilite", "emploi")])
        resource_file_add(resource=resource, by=participant,
                          upload=SimpleUploadedFile(f"annexe-{n}.odt", b"PK\x03\x04"))
    resource_update(
        resource=resource, by=participant,
        links=[(f"https://exemple.org/{n}", f"Lien {n}") for n in range(6)],
        organisations=[organisation_create(name=f"Org {n}", type=OrganisationType.ASSOCIATION)
                       for n in range(6)],
        nodes=list(ReferentielNode.objects.all()[:6]),
    )
    # The row, six prefetches, the node numbers, the tag labels, the related resources.
    with django_assert_max_num_queries(10):
        response = client.get(resource.get_absolute_url())
    assert response.content.decode().count("/fichiers/") == 9
    assert Organisation.objects.count() == 7


@pytest.mark.parametrize(
    ("who", "status", "edit", "review"),
    [
        ("participant", ResourceStatus.DRAFT, True, False),  # the contributor, a draft
        ("participant", ResourceStatus.PUBLISHED, False, False),
        ("outsider", ResourceStatus.PUBLISHED, False, False),
        ("animateur", ResourceStatus.SUBMITTED, True, True),
        ("animateur", ResourceStatus.PUBLISHED, True, False),
        ("admin", ResourceStatus.DRAFT, True, False),
        (None, ResourceStatus.PUBLISHED, False, False),
    ],
)
def test_edit_and_review_links_follow_the_rules(client, participant, request, who, status,
                                                edit, review):
    resource = make_resource(by=participant, title="Une fiche", status=status)
    if who:
        client.force_login(request.getfixturevalue(who))
    html = main_of(client.get(resource.get_absolute_url()))
    assert (f'href="{reverse("resources:edit", args=[resource.pk])}"' in html) == edit
    assert (f'href="{reverse("resources:review", args=[resource.pk])}"' in html) == review
