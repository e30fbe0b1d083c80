"""The resource centre's back-office: the référentiel in tree order, edited by admins within
three levels; resources edited there are versioned and searchable right after; collections
with their items; other staff kept out."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.resources import search
from alliances.resources.collections import collection_create, collection_item_add
from alliances.resources.models import ReferentielNode, Resource, ResourceTag
from alliances.resources.selectors import referentiel_flat
from alliances.resources.testing import make_resource

pytestmark = pytest.mark.django_db


def _form_data(response) -> dict:
    """The POST a browser would send back from an admin change page, unchanged."""
    data: dict = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            data[key] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for form in formset.forms:
            add(form)
    return data


def _node(number: str) -> ReferentielNode:
    return next(item.node for item in referentiel_flat() if item.number == number)


@pytest.fixture
def staff(db, password) -> User:
    """An animateur made staff and given every model permission of the app: still out."""
    user = user_create(email="staff@example.org", password=password,
                       role=User.Role.ANIMATEUR, display_name="Stéphane Staff")
    User.objects.filter(pk=user.pk).update(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="resources"))
    return User.objects.get(pk=user.pk)


# -- the référentiel ------------------------------------------------------------------------


def test_nodes_are_listed_in_tree_order_with_their_numbers(client, admin):
    client.force_login(admin)
    response = client.get(reverse("admin:resources_referentielnode_changelist"))
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    flat = referentiel_flat()
    assert [n.pk for n in listed] == [item.pk for item in flat]
    assert [n.tree_number for n in listed] == [item.number for item in flat]
    content = response.content.decode()
    assert "2.1.1" in content and "chapitre" in content and "question" in content
    # The parent is chosen by number, in tree order, among parts and chapters.
    form = client.get(reverse("admin:resources_referentielnode_add")).context["adminform"].form
    labels = [label for _, label in form.fields["parent"].choices][1:]
    expected = [f"{i.number} {i.title}" for i in flat if i.depth <= 2]
    assert labels == expected


def test_an_admin_adds_a_question_to_a_chapter_and_a_chapter_inline(client, admin):
    client.force_login(admin)
    chapter = _node("2.1")
    add = reverse("admin:resources_referentielnode_add")
    response = client.post(add, {
        "parent": chapter.pk, "position": 9, "title": "Qui inviter au dialogue ?",
        "description": "", "children-TOTAL_FORMS": 0, "children-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    question = ReferentielNode.objects.get(title="Qui inviter au dialogue ?")
    assert question.depth() == 3
    # A part gets a chapter through its inline.
    part = _node("3")
    url = reverse("admin:resources_referentielnode_change", args=[part.pk])
    data = _form_data(client.get(url))
    total = int(data["children-TOTAL_FORMS"])
    data.update({
        "children-TOTAL_FORMS": total + 1, f"children-{total}-position": 9,
        f"children-{total}-title": "Évaluer la dynamique",
        f"children-{total}-description": "",
    })
    response = client.post(url, data)
    assert response.status_code == 302
    assert ReferentielNode.objects.get(title="Évaluer la dynamique").parent == part


def test_a_question_cannot_get_sub_nodes(client, admin):
    client.force_login(admin)
    question = _node("2.1.1")
    response = client.get(reverse("admin:resources_referentielnode_change", args=[question.pk]))
    assert response.context["inline_admin_formsets"] == []
    parents = response.context["adminform"].form.fields["parent"].queryset
    assert question not in parents and _node("2.1") in parents and _node("2") in parents
    before = ReferentielNode.objects.count()
    response = client.post(reverse("admin:resources_referentielnode_add"), {
        "parent": question.pk, "position": 1, "title": "Quatrième niveau",
        "description": "", "children-TOTAL_FORMS": 0, "children-INITIAL_FORMS": 0,
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    assert ReferentielNode.objects.count() == before


def test_a_node_with_children_cannot_move_to_make_a_fourth_level(client, admin):
    client.force_login(admin)
    chapter, other_chapter, part = _node("2.1"), _node("2.2"), _node("1")
    url = reverse("admin:resources_referentielnode_change", args=[chapter.pk])
    data = _form_data(client.get(url))
    data["parent"] = other_chapter.pk  # its questions would be at the fourth level
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == [
        "Déplacé ici, ses sous-éléments formeraient un quatrième niveau : le référentiel "
        "a trois niveaux (parties, chapitres, questions)."
    ]
    # A part with chapters and questions cannot go under another part either.
    url_part = reverse("admin:resources_referentielnode_change", args=[_node("2").pk])
    data_part = _form_data(client.get(url_part))
    data_part["parent"] = part.pk
    assert client.post(url_part, data_part).status_code == 200
    chapter.refresh_from_db()
    assert chapter.parent == _node("2") and _node("2").parent_id is None
    # Moving the chapter to another part keeps three levels: allowed.
    data["parent"] = part.pk
    assert client.post(url, data).status_code == 302
    chapter.refresh_from_db()
    assert chapter.parent == part and chapter.children.exists()


def test_staff_who_are_not_admins_are_kept_out(client, staff):
    client.force_login(staff)
    for name in ("referentielnode", "resource", "collection"):
        assert client.get(reverse(f"admin:resources_{name}_changelist")).status_code == 403
    node = _node("1")
    url = reverse("admin:resources_referentielnode_change", args=[node.pk])
    assert client.post(url, {"title": "Piraté", "position": 1}).status_code == 403
    node.refresh_from_db()
    assert node.title != "Piraté"
    index = client.get(reverse("admin:index"))
    assert "resources" not in [app["app_label"] for app in index.context["app_list"]]


# -- resources ------------------------------------------------------------------------------


def test_an_admin_edit_is_versioned_and_searchable_right_after(client, admin):
    resource = make_resource(title="Fiche pratique : animer un dialogue territorial")
    client.force_login(admin)
    url = reverse("admin:resources_resource_change", args=[resource.pk])
    data = _form_data(client.get(url))
    data["title"] = "Fiche pratique : réussir une concertation citoyenne"
    total = int(data["tags-TOTAL_FORMS"])
    data.update({"tags-TOTAL_FORMS": total + 1, f"tags-{total}-family": "fragilite",
                 f"tags-{total}-code": "emploi"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    found = search.search("concertation")
    assert [hit.id for hit in found.hits] == [resource.pk]
    assert found.facets["tag"] == {"fragilite:emploi": 1}
    assert search.search("animer dialogue").count == 0
    resource.refresh_from_db()
    assert resource.version == 2
    latest = resource.versions.order_by("-number").first()
    assert (latest.author, latest.data["tags"]) == (admin, ["fragilite:emploi"])


def test_bad_input_in_the_resource_admin_is_located_and_nothing_changes(client, admin):
    resource = make_resource(title="Fiche pratique : animer un dialogue territorial")
    client.force_login(admin)
    url = reverse("admin:resources_resource_change", args=[resource.pk])
    data = _form_data(client.get(url))
    data["title"] = "Un nouveau titre"
    total = int(data["tags-TOTAL_FORMS"])
    data.update({"tags-TOTAL_FORMS": total + 1, f"tags-{total}-family": "fragilite",
                 f"tags-{total}-code": "licorne"})
    response = client.post(url, data)
    assert response.status_code == 200
    (errors,) = [f.errors for f in response.context["inline_admin_formsets"][0].formset.forms
                 if f.errors]
    assert errors["code"][0].startswith("Code inconnu pour cette famille")
    resource.refresh_from_db()
    assert resource.title == "Fiche pratique : animer un dialogue territorial"
    assert not ResourceTag.objects.exists()
    assert search.search("nouveau titre").count == 0


def test_status_and_files_are_not_edited_in_the_admin_and_deletion_leaves_the_index(
    client, admin
):
    resource = make_resource(title="Témoignage : une coopération économique")
    client.force_login(admin)
    response = client.get(reverse("admin:resources_resource_change", args=[resource.pk]))
    form = response.context["adminform"].form
    assert "status" not in form.fields and "contributor" not in form.fields
    assert client.get(reverse("admin:resources_resource_add")).status_code == 403
    response = client.post(reverse("admin:resources_resource_delete", args=[resource.pk]),
                           {"post": "yes"})
    assert response.status_code == 302
    assert not Resource.objects.exists()
    assert search.search("coopération").count == 0


def test_the_reindex_action_puts_resources_back_in_the_index(client, admin):
    resources = [make_resource(title=f"Fiche {word}") for word in ("mobilité", "logement")]
    search.clear()
    client.force_login(admin)
    response = client.post(reverse("admin:resources_resource_changelist"), {
        "action": "reindex", "_selected_action": [r.pk for r in resources],
    })
    assert response.status_code == 302
    assert search.search("mobilite").count == 1 and search.search("logement").count == 1


def test_the_resource_list_reads_in_a_fixed_number_of_queries(
    client, admin, django_assert_max_num_queries
):
    for n in range(12):
        make_resource(title=f"Ressource {n}", by=admin)
    client.force_login(admin)
    url = reverse("admin:resources_resource_changelist")
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# -- collections ----------------------------------------------------------------------------


def test_collections_are_edited_with_their_items(client, admin):
    resources = [make_resource(title=f"Fiche {n}") for n in range(2)]
    collection = collection_create(by=admin, title="Lectures")
    for resource in resources:
        collection_item_add(collection=collection, resource=resource)
    client.force_login(admin)
    url = reverse("admin:resources_collection_change", args=[collection.pk])
    data = _form_data(client.get(url))
    data["items-0-note"] = "Pour commencer"
    assert client.post(url, data).status_code == 302
    assert collection.items.order_by("position").first().note == "Pour commencer"
