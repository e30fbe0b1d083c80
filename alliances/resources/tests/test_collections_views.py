"""Collection pages: who may see and change what (anonymous, outsider, participant of the
session's cohort, the animateur who made it, another animateur, admin × public, private),
the curation under htmx and without JavaScript, bad input, query counts, and the session
page of the parcours listing its collections."""

import pytest
from django.urls import reverse

from alliances.resources.collections import collection_create, collection_item_add
from alliances.resources.models import Collection
from alliances.resources.testing import make_resource

from .collection_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PERSONAS = ["anonymous", "outsider", "participant", "animateur", "other_animateur", "admin"]


def _as(client, request, persona: str):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def _order(collection: Collection) -> list[str]:
    return list(collection.items.order_by("position").values_list("resource__title", flat=True))


# -- the permission matrix ------------------------------------------------------------------

# persona → (sees the public one, sees the private one, may change them)
MATRIX = {
    "anonymous": (True, False, False),
    "outsider": (True, False, False),
    "participant": (True, True, False),
    "animateur": (True, True, True),
    "other_animateur": (True, False, False),
    "admin": (True, True, True),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("visibility", ["public", "private"])
def test_permission_matrix(client, request, persona, visibility, resources):
    collection = request.getfixturevalue(f"{visibility}_collection")
    sees_public, sees_private, may_change = MATRIX[persona]
    sees = sees_public if visibility == "public" else sees_private
    client = _as(client, request, persona)
    pk = collection.pk
    item = collection.items.first()

    page = client.get(reverse("resources:collection", args=[pk]))
    assert page.status_code == (200 if sees else 404)
    listing = client.get(reverse("resources:collections")).content.decode()
    assert (collection.title in listing) == sees
    if sees:
        content = page.content.decode()
        assert item.resource.title in content
        assert ("Ajouter des ressources" in content) == may_change
        assert (reverse("resources:collection_update", args=[pk]) in content) == may_change

    # Every change: refused to anonymous visitors (sign in), 404 to those who do not see
    # the collection, 403 to those who see it without the right to change it.
    refused = 302 if persona == "anonymous" else (403 if sees else 404)
    before = (list(collection.items.values_list("resource_id", "position", "note")),
              Collection.objects.filter(pk=pk).values_list("title", flat=True).get())
    attempts = [
        ("get", reverse("resources:collection_update", args=[pk]), {}),
        ("post", reverse("resources:collection_update", args=[pk]),
         {"title": "Piraté", "is_public": "on"}),
        ("get", reverse("resources:collection_delete", args=[pk]), {}),
        ("get", reverse("resources:collection_picker", args=[pk]), {"q": "dialogue"}),
        ("post", reverse("resources:collection_item_add", args=[pk]),
         {"resource": resources[1].pk if visibility == "private" else resources[2].pk}),
        ("post", reverse("resources:collection_item_note", args=[item.pk]), {"note": "x"}),
        ("post", reverse("resources:collection_item_move", args=[item.pk]),
         {"direction": "down"}),
        ("post", reverse("resources:collection_item_remove", args=[item.pk]), {}),
        ("post", reverse("resources:collection_delete", args=[pk]), {}),
    ]
    if may_change:
        assert client.get(attempts[0][1]).status_code == 200
        assert client.get(attempts[2][1]).status_code == 200
        assert client.get(attempts[3][1], attempts[3][2]).status_code == 200
        return
    for method, url, data in attempts:
        response = getattr(client, method)(url, data)
        assert response.status_code == refused, (method, url)
        if refused == 302:
            assert response.url.startswith(reverse("account_login"))
    after = (list(collection.items.values_list("resource_id", "position", "note")),
             Collection.objects.filter(pk=pk).values_list("title", flat=True).get())
    assert after == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_make_a_collection(client, request, persona, session):
    client = _as(client, request, persona)
    url = reverse("resources:collection_create")
    may = persona in ("animateur", "other_animateur", "admin")
    response = client.get(url)
    assert response.status_code == (302 if persona == "anonymous" else 200 if may else 403)
    response = client.post(url, {"title": "Lectures", "is_public": "on"})
    assert response.status_code == (302 if persona == "anonymous" or may else 403)
    assert Collection.objects.filter(title="Lectures").exists() == may
    index = client.get(reverse("resources:collections")).content.decode()
    assert ("Nouvelle collection" in index) == may


# -- making and editing ---------------------------------------------------------------------


def test_an_animateur_makes_a_collection_for_a_session_prefilled(client, animateur, session):
    client.force_login(animateur)
    url = reverse("resources:collection_create")
    form = client.get(url, {"seance": session.pk}).context["form"]
    assert form.initial["session"] == session.pk
    assert session in form.fields["session"].queryset
    response = client.post(url, {
        "title": "Pour la séance", "description": "À lire", "session": session.pk,
    })
    collection = Collection.objects.get()
    assert response.url == reverse("resources:collection", args=[collection.pk])
    assert (collection.owner, collection.session, collection.is_public) == (
        animateur, session, False
    )


def test_bad_input_is_located_and_nothing_is_written(client, other_animateur, session):
    client.force_login(other_animateur)
    url = reverse("resources:collection_create")
    # A session of a cohort one does not animate is not offered, even prefilled.
    form = client.get(url, {"seance": session.pk}).context["form"]
    assert "session" not in form.initial
    assert session not in form.fields["session"].queryset
    response = client.post(url, {"title": "  ", "session": session.pk})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["title"] == ["Ce champ est obligatoire."]
    assert errors["session"] == [
        "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
    ]
    content = response.content.decode()
    assert 'href="#id_title"' in content and 'href="#id_session"' in content
    assert not Collection.objects.exists()


def test_the_owner_edits_and_deletes(client, animateur, public_collection, session):
    client.force_login(animateur)
    url = reverse("resources:collection_update", args=[public_collection.pk])
    form = client.get(url).context["form"]
    assert form.initial["session"] == session.pk
    response = client.post(url, {"title": "Nouveau titre", "session": session.pk})
    assert response.status_code == 302
    public_collection.refresh_from_db()
    assert (public_collection.title, public_collection.is_public) == ("Nouveau titre", False)
    response = client.post(reverse("resources:collection_delete", args=[public_collection.pk]))
    assert response.url == reverse("resources:collections")
    assert not Collection.objects.filter(pk=public_collection.pk).exists()


# -- curation -------------------------------------------------------------------------------


def test_the_picker_finds_published_resources_only(client, animateur, public_collection,
                                                    resources, draft):
    client.force_login(animateur)
    url = reverse("resources:collection_picker", args=[public_collection.pk])
    response = client.get(url, {"q": "cooperation"}, **HTMX)
    content = response.content.decode()
    assert "<html" not in content
    assert resources[2].title in content  # "coopération", accents ignored
    assert draft.title not in content  # "coopérer": a draft, never offered
    assert f'value="{resources[2].pk}"' in content
    # Those already in the collection say so instead of offering to add them.
    content = client.get(url, {"q": "dialogue territorial"}, **HTMX).content.decode()
    assert resources[0].title in content and "déjà dans la collection" in content
    assert f'value="{resources[0].pk}"' not in content
    # Without JavaScript, the search form reloads the page with the results.
    page = client.get(reverse("resources:collection", args=[public_collection.pk]),
                      {"q": "cooperation"}).content.decode()
    assert f'name="resource" value="{resources[2].pk}"' in page


def test_adding_moving_noting_removing_under_htmx(client, animateur, public_collection,
                                                  resources):
    client.force_login(animateur)
    pk = public_collection.pk
    response = client.post(reverse("resources:collection_item_add", args=[pk]),
                           {"resource": resources[2].pk}, **HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="collection-items"')
    assert "« Témoignage : une coopération économique à Créteil » ajoutée." in content
    assert _order(public_collection) == [r.title for r in resources]
    third = public_collection.items.get(resource=resources[2])
    response = client.post(reverse("resources:collection_item_move", args=[third.pk]),
                           {"direction": "up"}, **HTMX)
    assert f'data-focus="item-{third.pk}-up"' in response.content.decode()
    assert _order(public_collection) == [resources[0].title, resources[2].title,
                                         resources[1].title]
    response = client.post(reverse("resources:collection_item_note", args=[third.pk]),
                           {"note": "Un exemple à Créteil."}, **HTMX)
    assert "Un exemple à Créteil." in response.content.decode()
    response = client.post(reverse("resources:collection_item_remove", args=[third.pk]),
                           **HTMX)
    assert 'data-focus="items-title"' in response.content.decode()
    assert _order(public_collection) == [r.title for r in resources[:2]]


def test_curation_works_without_javascript(client, animateur, public_collection, resources):
    client.force_login(animateur)
    first = public_collection.items.order_by("position").first()
    url = reverse("resources:collection_item_move", args=[first.pk])
    response = client.post(url, {"direction": "down"})
    assert response.url == reverse("resources:collection", args=[public_collection.pk]) + "#items"
    assert _order(public_collection) == [resources[1].title, resources[0].title]
    page = client.get(response.url).content.decode()
    assert "descendue" in page


def test_bad_curation_is_refused_with_a_french_message(client, animateur, public_collection,
                                                       resources, draft):
    client.force_login(animateur)
    pk = public_collection.pk
    add = reverse("resources:collection_item_add", args=[pk])
    before = list(public_collection.items.values_list("resource_id", "position", "note"))

    response = client.post(add, {"resource": resources[0].pk}, **HTMX)
    assert 'role="alert"' in response.content.decode()
    assert ("« Fiche pratique : animer un dialogue territorial » est déjà dans cette "
            "collection.") in response.content.decode()
    response = client.post(add, {"resource": draft.pk}, **HTMX)
    assert ("Seules les ressources publiées peuvent être ajoutées à une collection."
            in response.content.decode())
    response = client.post(add, {"resource": "pas un nombre"}, **HTMX)
    assert "Choisissez une ressource parmi les résultats de la recherche." in (
        response.content.decode()
    )
    first, last = public_collection.items.order_by("position")
    move = reverse("resources:collection_item_move", args=[first.pk])
    content = client.post(move, {"direction": "up"}, **HTMX).content.decode()
    assert f"« {resources[0].title} » est déjà en premier." in content
    content = client.post(reverse("resources:collection_item_move", args=[last.pk]),
                          {"direction": "down"}, **HTMX).content.decode()
    assert f"« {resources[1].title} » est déjà en dernier." in content
    content = client.post(reverse("resources:collection_item_note", args=[first.pk]),
                          {"note": "x" * 301}, **HTMX).content.decode()
    assert "300" in content and 'role="alert"' in content
    # Without JavaScript the refusal comes back as a message on the page.
    response = client.post(move, {"direction": "up"}, follow=True)
    assert f"« {resources[0].title} » est déjà en premier." in response.content.decode()
    after = list(public_collection.items.values_list("resource_id", "position", "note"))
    assert after == before


def test_resources_link_to_their_pages_with_the_curators_note(client, public_collection,
                                                              resources, session, participant):
    client.force_login(participant)
    content = client.get(reverse("resources:collection", args=[public_collection.pk])
                         ).content.decode()
    for resource in resources[:2]:
        assert f'href="{reverse("resources:detail", args=[resource.pk])}"' in content
    assert "À lire avant" in content
    assert f'href="{reverse("journeys:session", args=[session.pk])}"' in content
    assert content.index(resources[0].title) < content.index(resources[1].title)


def test_a_private_cohorts_session_is_not_named_to_those_outside_it(
    client, outsider, participant, public_collection, session
):
    page = reverse("resources:collection", args=[public_collection.pk])
    listing = reverse("resources:collections")
    for user in (None, outsider):
        if user:
            client.force_login(user)
        for url in (page, listing):
            content = client.get(url).content.decode()
            assert public_collection.title in content
            assert session.title not in content and "Promotion test" not in content
    client.force_login(participant)
    for url in (page, listing):
        content = client.get(url).content.decode()
        assert session.title in content and "Promotion test" in content


# -- query counts ---------------------------------------------------------------------------


def test_the_list_and_the_page_read_in_a_fixed_number_of_queries(
    client, participant, animateur, session, resources, public_collection, private_collection,
    django_assert_max_num_queries,
):
    for n in range(6):
        collection = collection_create(by=animateur, title=f"Collection {n}", session=session,
                                       is_public=n % 2 == 0)
        for resource in resources:
            collection_item_add(collection=collection, resource=resource)
    for n in range(5):
        collection_item_add(collection=public_collection,
                            resource=make_resource(title=f"Ressource {n}"))
    client.force_login(participant)
    listing = reverse("resources:collections")
    page = reverse("resources:collection", args=[public_collection.pk])
    client.get(listing)
    # session, user, collections with their counts, the cohorts the user sees among theirs,
    # the header's unread notifications.
    with django_assert_max_num_queries(5):
        assert client.get(listing).status_code == 200
    # session, user, collection, the cohort membership (private or not: the rule asks
    # when needed), whether the session's cohort is seen, items, notifications.
    with django_assert_max_num_queries(7):
        assert client.get(page).status_code == 200
    client.force_login(animateur)
    # + the picker's search (its count and hits) and the resources found.
    with django_assert_max_num_queries(9):
        assert client.get(page, {"q": "dialogue"}).status_code == 200


# -- the session page of the parcours -------------------------------------------------------


@pytest.mark.parametrize("persona", ["participant", "animateur", "admin", "other_animateur"])
def test_the_session_page_lists_its_collections(client, request, persona, session,
                                                public_collection, private_collection):
    client = _as(client, request, persona)
    response = client.get(reverse("journeys:session", args=[session.pk]))
    if persona == "other_animateur":  # the cohort is private: its session too
        assert response.status_code == 404
        return
    content = response.content.decode()
    assert "Ressources de la séance" in content
    assert f'href="{reverse("resources:collection", args=[public_collection.pk])}"' in content
    assert f'href="{reverse("resources:collection", args=[private_collection.pk])}"' in content
    make = f'{reverse("resources:collection_create")}?seance={session.pk}'
    assert (make in content) == (persona in ("animateur", "admin"))


def test_a_public_sessions_page_shows_public_collections_only(
    client, animateur, programme, public_collection, outsider,
):
    from alliances.journeys.models import CohortVisibility
    from alliances.journeys.services import cohort_settings_update

    cohort = public_collection.session.cohort
    cohort_settings_update(cohort=cohort, name=cohort.name, status=cohort.status,
                           visibility=CohortVisibility.PUBLIC, end=cohort.end)
    private = collection_create(by=animateur, title="Réservée", session=public_collection.session,
                                is_public=False)
    for user in (None, outsider):
        if user:
            client.force_login(user)
        content = client.get(reverse("journeys:session", args=[public_collection.session_id])
                             ).content.decode()
        assert public_collection.title in content
        assert private.title not in content
        assert "?seance=" not in content
