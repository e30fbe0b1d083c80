"""The contribution pages: propose, edit (with files, links, tags, référentiel), the
preview, one's contributions, the reviewers' queue, the review page and its buttons."""

import io
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliances.actors.models import Organisation
from alliances.resources import services as s
from alliances.resources.models import (
    ReferentielNode,
    Resource,
    ResourceFile,
    ResourceStatus,
    ResourceVersion,
)
from alliances.resources.testing import make_resource

pytestmark = pytest.mark.django_db


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    buffer = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(buffer)
    return buffer.getvalue()


def form_data(**overrides):
    data = {
        "kind": "fiche",
        "title": "Animer un dialogue territorial",
        "summary": "Pour les catalyseurs.",
        "body": "Commencer par **écouter**.",
        "authors": "Camille Martin",
        "issued_on": "2026-03-01",
        "licence": "CC-BY-SA-4.0",
        "region": "",
        "departement": "",
        "links-TOTAL_FORMS": "2",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "20",
        "links-0-url": "https://www.fun-mooc.fr/cooperation",
        "links-0-title": "Le MOOC",
        "links-1-url": "",
        "links-1-title": "",
    }
    data.update(overrides)
    return data


def test_a_participant_proposes_a_resource_with_tags_nodes_a_link_and_a_file(
    client, participant
):
    node = ReferentielNode.objects.filter(parent__isnull=False).first()
    mairie = Organisation.objects.create(name="Mairie de Die", type="collectivite")
    client.force_login(participant)
    page = client.get(reverse("resources:propose"))
    assert page.status_code == 200
    assert "Proposer une ressource" in page.content.decode()
    response = client.post(
        reverse("resources:propose"),
        form_data(
            tags=["type:mecenat", "forme:dialogue_territorial"], nodes=[str(node.pk)],
            organisations=[str(mairie.pk)], region="84", departement="26",
            files=[SimpleUploadedFile("guide.pdf", pdf_bytes(), "application/pdf")],
        ),
    )
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("resources:review", args=[resource.pk])
    assert resource.status == ResourceStatus.DRAFT and resource.contributor == participant
    assert sorted(f"{t.family}:{t.code}" for t in resource.tags.all()) == [
        "forme:dialogue_territorial", "type:mecenat",
    ]
    assert list(resource.nodes.all()) == [node]
    assert list(resource.organisations.all()) == [mairie]
    assert resource.departement_id == "26"
    assert [(link.url, link.title) for link in resource.links.all()] == [
        ("https://www.fun-mooc.fr/cooperation", "Le MOOC")
    ]
    assert resource.files.get().name == "guide.pdf"
    assert resource.versions.count() == 1


def test_editing_records_one_version_and_removes_files(client, participant):
    resource = make_resource(by=participant, status=ResourceStatus.DRAFT,
                             files=[SimpleUploadedFile("a.pdf", pdf_bytes())])
    attached = resource.files.get()
    client.force_login(participant)
    page = client.get(reverse("resources:edit", args=[resource.pk]))
    assert page.status_code == 200
    assert resource.title in page.content.decode()
    response = client.post(
        reverse("resources:edit", args=[resource.pk]),
        form_data(title="Un titre meilleur", remove_files=[str(attached.pk)],
                  note="Titre repris", **{"links-0-url": "", "links-0-title": ""}),
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.title == "Un titre meilleur"
    assert not ResourceFile.objects.exists()
    assert not resource.links.exists()
    latest = resource.versions.first()
    assert (latest.number, latest.note, latest.data["files"]) == (2, "Titre repris", [])


def test_the_preview_renders_the_markdown_safely(client, participant):
    client.force_login(participant)
    response = client.post(
        reverse("resources:preview"),
        {"body": "**gras** <script>alert(1)</script>"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<strong>gras</strong>" in html
    assert "<script>" not in html


def test_the_organisation_search_offers_the_public_directory(client, participant):
    Organisation.objects.create(name="Mairie de Die", type="collectivite")
    Organisation.objects.create(name="Mairie cachée", type="collectivite", is_public=False)
    client.force_login(participant)
    html = client.get(reverse("resources:organisation_search"), {"q": "mairie"}).content.decode()
    assert "Mairie de Die" in html and "cachée" not in html


def _submitted(participant, title="Fiche"):
    resource = make_resource(by=participant, title=title, status=ResourceStatus.DRAFT)
    s.resource_submit(resource=resource, by=participant)
    return resource


def test_review_buttons_move_the_resource_and_errors_keep_the_comment(
    client, participant, animateur
):
    resource = _submitted(participant)
    client.force_login(animateur)
    page = client.get(reverse("resources:review", args=[resource.pk]))
    assert "Commencer la relecture" in page.content.decode()
    assert client.post(reverse("resources:review_start", args=[resource.pk])).status_code == 302
    response = client.post(reverse("resources:request_changes", args=[resource.pk]),
                           {"body": ""})
    assert response.status_code == 400
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.IN_REVIEW
    response = client.post(reverse("resources:refuse", args=[resource.pk]),
                           {"body": ""})
    assert response.status_code == 400
    response = client.post(reverse("resources:publish", args=[resource.pk]),
                           {"body": "Très utile."})
    assert response.status_code == 302
    # The same button pressed again, from a page left open.
    response = client.post(reverse("resources:publish", args=[resource.pk]),
                           {"body": "Très utile."})
    assert response.status_code == 409
    assert "Très utile." in response.content.decode()
    assert "déjà été publiée" in response.content.decode()


def test_my_contributions_show_status_and_the_last_review_word(
    client, participant, animateur, django_assert_max_num_queries
):
    for n in range(6):
        resource = _submitted(participant, title=f"Fiche {n}")
        s.resource_request_changes(resource=resource, by=animateur, comment=f"Revoir {n}")
    make_resource(by=participant, title="Publiée")
    make_resource(by=animateur, title="Pas la mienne")
    client.force_login(participant)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("resources:my_contributions"))
    html = response.content.decode()
    assert "Revoir 5" in html and "Publiée" in html and "Pas la mienne" not in html


def test_the_review_queue_lists_what_waits(
    client, participant, animateur, admin, django_assert_max_num_queries
):
    for n in range(8):
        _submitted(participant, title=f"En attente {n}")
    make_resource(by=participant, title="Déjà publiée")
    make_resource(by=participant, title="Brouillon", status=ResourceStatus.DRAFT)
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("resources:review_queue"))
    html = response.content.decode()
    assert html.count("En attente") == 8
    assert "Déjà publiée" not in html and "Brouillon" not in html


def test_versions_list_and_diff(client, participant, animateur):
    resource = make_resource(by=participant, status=ResourceStatus.DRAFT,
                             body="Réunir les acteurs du territoire.")
    s.resource_update(resource=resource, by=participant,
                      body="Réunir tous les acteurs du territoire.",
                      tags=[("type", "mecenat")])
    client.force_login(participant)
    html = client.get(reverse("resources:versions", args=[resource.pk])).content.decode()
    assert "Paul Participant" in html
    html = client.get(reverse("resources:version", args=[resource.pk, 2])).content.decode()
    assert "<ins> tous</ins>" in html
    assert "<ins>mécénat</ins>" in html
    assert client.get(reverse("resources:version", args=[resource.pk, 3])).status_code == 404
    assert ResourceVersion.objects.filter(resource=resource).count() == 2


def test_an_edit_made_from_an_older_version_is_not_saved_over_a_newer_one(
    client, participant, animateur
):
    resource = make_resource(by=participant, status=ResourceStatus.DRAFT)
    s.resource_submit(resource=resource, by=participant)
    client.force_login(animateur)
    page = client.get(reverse("resources:edit", args=[resource.pk])).content.decode()
    assert 'name="base_version" value="1"' in page
    # Meanwhile an admin saves a version 2.
    s.resource_update(resource=resource, by=participant, title="Titre de l'autre")
    data = form_data(title="Mon titre", base_version="1")
    response = client.post(reverse("resources:edit", args=[resource.pk]), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "a enregistré la version 2 pendant que vous modifiiez" in html
    resource.refresh_from_db()
    assert (resource.title, resource.version) == ("Titre de l'autre", 2)
    # The form now carries version 2: saving again, knowingly, goes through.
    assert 'name="base_version" value="2"' in html
    data["base_version"] = "2"
    assert client.post(reverse("resources:edit", args=[resource.pk]), data).status_code == 302
    resource.refresh_from_db()
    assert (resource.title, resource.version) == ("Mon titre", 3)


def test_the_profile_credits_published_contributions_and_shows_the_others_status(
    client, participant, animateur, django_assert_max_num_queries
):
    published = make_resource(by=participant, title="Ma fiche publiée")
    make_resource(by=participant, title="Mon brouillon", status=ResourceStatus.DRAFT)
    for n in range(5):
        make_resource(by=participant, title=f"Fiche {n}")
    make_resource(by=animateur, title="Celle d'un autre")
    client.force_login(participant)
    with django_assert_max_num_queries(5):  # session, user, memberships, unread, resources
        html = client.get(reverse("accounts:profile")).content.decode()
    assert f'href="{reverse("resources:detail", args=[published.pk])}">Ma fiche publiée' in html
    assert "Mon brouillon" in html and "brouillon" in html
    assert "Celle d" not in html
    assert "Mes contributions au centre de ressources" in html


def test_without_javascript_the_preview_shows_the_form_again_unsaved(client, participant):
    node = ReferentielNode.objects.filter(parent__isnull=False).first()
    client.force_login(participant)
    response = client.post(
        reverse("resources:propose"),
        form_data(title="", preview="1", tags=["type:mecenat"], nodes=[str(node.pk)],
                  body="Un **essai**"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>essai</strong>" in html
    assert "Aperçu seulement : rien n'est encore enregistré." in unescape(html)
    assert re.search(r'value="type:mecenat"[^>]* checked', html)
    assert re.search(rf'name="nodes" value="{node.pk}"[^>]* checked', html)
    assert "https://www.fun-mooc.fr/cooperation" in html
    # Nothing checked (the empty title is not an error yet), nothing saved.
    assert "error-summary" not in html
    assert not Resource.objects.exists()


def test_without_javascript_the_organisation_search_shows_the_form_again(client, participant):
    mairie = Organisation.objects.create(name="Mairie de Die", type="collectivite")
    client.force_login(participant)
    response = client.post(
        reverse("resources:propose"),
        form_data(find_organisations="1", q="mairie", title="Mon titre"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="organisations" value="{mairie.pk}"' in html
    assert 'value="Mon titre"' in html
    assert not Resource.objects.exists()


def test_the_review_page_query_count_does_not_grow_with_its_thread(
    client, participant, animateur, django_assert_max_num_queries
):
    nodes = list(ReferentielNode.objects.values_list("pk", flat=True)[:4])
    resource = make_resource(
        by=participant, status=ResourceStatus.DRAFT, nodes=nodes,
        tags=[("type", "mecenat"), ("forme", "dialogue_territorial"), ("fragilite", "emploi")],
        links=[(f"https://example.org/{n}", f"Lien {n}") for n in range(4)],
        organisations=[Organisation.objects.create(name=f"Asso {n}", type="association")
                       for n in range(4)],
        files=[SimpleUploadedFile(f"f{n}.pdf", pdf_bytes()) for n in range(3)],
    )
    s.resource_submit(resource=resource, by=participant)
    for n in range(10):
        s.resource_comment(resource=resource, by=animateur if n % 2 else participant,
                           body=f"Remarque {n}")
    client.force_login(animateur)
    # session, user, unread, resource, events, tags, fragilities, référentiel, nodes,
    # steps, organisations, links, files
    with django_assert_max_num_queries(13):
        response = client.get(reverse("resources:review", args=[resource.pk]))
    html = response.content.decode()
    assert html.count('class="event event-comment"') == 10
    assert "Asso 3" in html and "f2.pdf" in html and "Lien 3" in html
