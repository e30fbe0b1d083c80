"""The resource services: create, edit, versions, tags and the index kept in step."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from alliances.resources import search
from alliances.resources.models import ReferentielNode, ResourceStatus
from alliances.resources.services import resource_update, search_index_rebuild, tags_parse
from alliances.resources.testing import make_resource

pytestmark = pytest.mark.django_db


def test_the_default_referentiel_has_three_parts_with_chapters_and_questions():
    parts = list(ReferentielNode.objects.roots().order_by("position"))
    assert [p.title for p in parts] == [
        "Les enjeux des territoires",
        "Les formes de la co-construction",
        "La mise en œuvre d'une dynamique de co-construction",
    ]
    chapters = [c.title for c in parts[1].children.order_by("position")]
    assert chapters == [
        "Le dialogue territorial",
        "Les partenariats entre organisations",
        "Les expérimentations collectives",
    ]
    question = parts[1].children.first().children.first()
    assert question.depth() == 3


def test_tags_are_read_by_family_code_bare_code_or_label():
    assert tags_parse(["fragilite:emploi", "mecenat", "Innovation sociétale"]) == [
        ("fragilite", "emploi"), ("type", "mecenat"), ("type", "innovation_societale"),
    ]
    with pytest.raises(ValidationError) as error:
        tags_parse(["dialogue_territorial", "nimporte"])
    text = " ".join(error.value.messages)
    assert "forme:dialogue_territorial" in text and "metier:dialogue_territorial" in text
    assert "nimporte" in text


def test_only_published_resources_are_indexed_and_edits_reindex(participant):
    draft = make_resource(by=participant, title="Brouillon de coopération",
                          status=ResourceStatus.DRAFT)
    published = make_resource(by=participant, title="Les coopérations économiques",
                              tags=[("type", "cooperation_economique")])
    result = search.search("coopération")
    assert [h.id for h in result.hits] == [published.pk]
    assert result.facets["tag"] == {"type:cooperation_economique": 1}
    resource_update(resource=published, by=participant, title="Mécénat de compétences")
    assert search.search("coopération").count == 0
    assert [h.id for h in search.search("mecenat").hits] == [published.pk]
    assert draft.version == 1
    published.refresh_from_db()
    assert published.version == 2
    assert list(published.versions.values_list("number", flat=True)) == [2, 1]


def test_an_unchanged_save_records_no_version(participant):
    resource = make_resource(by=participant)
    resource_update(resource=resource, by=participant, title=resource.title)
    assert resource.versions.count() == 1


def test_pdf_text_is_indexed(participant):
    from pypdf import PdfWriter

    from alliances.resources.services import resource_file_add

    buffer = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(buffer)
    resource = make_resource(by=participant, title="Étude")
    resource_file_add(resource=resource, upload=SimpleUploadedFile("etude.pdf", buffer.getvalue()))
    assert resource.files.get().name == "etude.pdf"
    assert resource.versions.count() == 2


def test_rebuild_indexes_every_published_resource(participant):
    for n in range(3):
        make_resource(by=participant, title=f"Ressource {n}")
    make_resource(by=participant, status=ResourceStatus.SUBMITTED)
    search.clear()
    assert search.search("").count == 0
    assert search_index_rebuild(batch_size=2) == 3
    assert search.search("").count == 3


def test_the_referentiel_tree_is_numbered_in_one_query(django_assert_num_queries):
    from alliances.resources.selectors import referentiel_flat, referentiel_tree

    with django_assert_num_queries(1):
        tree = referentiel_tree()
    assert [t.number for t in tree] == ["1", "2", "3"]
    assert tree[1].children[0].number == "2.1"
    assert tree[1].children[0].children[1].number == "2.1.2"
    assert tree[1].children[0].children[1].depth == 3
    assert len(referentiel_flat()) == ReferentielNode.objects.count()


def test_a_new_resource_costs_a_few_queries_and_its_first_version_matches_a_reread(
    participant, django_assert_max_num_queries
):
    from alliances.actors.services import organisation_create
    from alliances.resources.services import resource_create, resource_snapshot

    organisation = organisation_create(name="Ateliers du Val", type="association")
    nodes = list(ReferentielNode.objects.order_by("pk")[:2])
    with django_assert_max_num_queries(8):
        resource = resource_create(
            by=participant, kind="methode", title="Méthode", status=ResourceStatus.PUBLISHED,
            tags=[("type", "mecenat"), ("fragilite", "emploi"), ("type", "mecenat")],
            nodes=[nodes[1], nodes[0].pk], organisations=[organisation],
            links=[("https://example.org/mooc", "MOOC")], index=False,
        )
    assert resource.version == 1
    assert resource.versions.get().data == resource_snapshot(resource)
    assert sorted(resource.nodes.values_list("pk", flat=True)) == [n.pk for n in nodes]
    assert resource.tags.count() == 2
    resource_update(resource=resource, by=participant, title="Méthode")
    assert resource.versions.count() == 1
