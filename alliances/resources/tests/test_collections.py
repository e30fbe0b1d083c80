"""Collection services and selectors: the session a curator may choose, published
resources only, no resource twice, dense positions, moves refused past the ends — with
French messages and nothing half-written."""

import pytest
from django.core.exceptions import ValidationError

from alliances.journeys.models import Session
from alliances.resources.collection_selectors import (
    collection_items,
    collection_list,
    collections_visible_to,
    session_collections,
    sessions_curated_by,
)
from alliances.resources.collections import (
    collection_create,
    collection_delete,
    collection_item_add,
    collection_item_move,
    collection_item_note,
    collection_item_remove,
    collection_update,
)
from alliances.resources.models import Collection, CollectionItem, ResourceStatus
from alliances.resources.services import resource_update

from .collection_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db


def _order(collection: Collection) -> list[tuple[int, str]]:
    return list(
        collection.items.order_by("position").values_list("position", "resource__title")
    )


def test_a_collection_is_made_for_a_session_of_a_cohort_one_animates(animateur, session):
    collection = collection_create(by=animateur, title="  Lectures  ", session=session,
                                   is_public=False)
    assert (collection.title, collection.owner, collection.session, collection.is_public) == (
        "Lectures", animateur, session, False
    )


def test_an_empty_title_is_refused_in_french(animateur, session):
    with pytest.raises(ValidationError) as error:
        collection_create(by=animateur, title="   ", session=session)
    assert error.value.message_dict["title"] == ["Ce champ ne peut pas être vide."]
    assert not Collection.objects.exists()


def test_a_session_of_a_cohort_one_does_not_animate_is_refused(
    other_animateur, animateur, session, other_cohort
):
    with pytest.raises(ValidationError) as error:
        collection_create(by=other_animateur, title="Lectures", session=session)
    assert error.value.message_dict["session"] == [
        "Choisissez une séance d’une promotion que vous animez."
    ]
    assert not Collection.objects.exists()
    # The cohort's animateur may not pick another cohort's session either; an admin may.
    elsewhere = other_cohort.sessions.first()
    with pytest.raises(ValidationError):
        collection_create(by=animateur, title="Lectures", session=elsewhere)


def test_admins_may_choose_any_session_and_curators_only_theirs(
    admin, animateur, other_animateur, session, other_cohort
):
    everything = set(Session.objects.values_list("pk", flat=True))
    assert set(sessions_curated_by(admin).values_list("pk", flat=True)) == everything
    mine = set(sessions_curated_by(animateur).values_list("pk", flat=True))
    assert session.pk in mine
    assert not mine & set(other_cohort.sessions.values_list("pk", flat=True))
    assert not sessions_curated_by(other_animateur).exists()
    collection_create(by=admin, title="Pour une autre promotion",
                      session=other_cohort.sessions.first())


def test_an_update_keeps_the_session_already_set_and_checks_a_new_one(
    admin, animateur, session, other_cohort
):
    elsewhere = other_cohort.sessions.first()
    collection = collection_create(by=admin, title="Pour l'autre promotion", session=elsewhere)
    collection.owner = animateur
    collection.save()
    collection_update(collection=collection, by=animateur, title="Nouveau titre",
                      session=elsewhere, is_public=False)
    collection.refresh_from_db()
    assert (collection.title, collection.session, collection.is_public) == (
        "Nouveau titre", elsewhere, False
    )
    other_session = other_cohort.sessions.last()
    with pytest.raises(ValidationError):
        collection_update(collection=collection, by=animateur, title="Encore",
                          session=other_session)
    collection.refresh_from_db()
    assert collection.title == "Nouveau titre"


def test_items_are_added_last_and_a_resource_only_once(animateur, session, resources):
    collection = collection_create(by=animateur, title="Lectures", session=session)
    for resource in resources:
        collection_item_add(collection=collection, resource=resource)
    assert [p for p, _ in _order(collection)] == [1, 2, 3]
    with pytest.raises(ValidationError) as error:
        collection_item_add(collection=collection, resource=resources[0], note="encore")
    assert error.value.messages == [
        "« Fiche pratique : animer un dialogue territorial » est déjà dans cette collection."
    ]
    assert collection.items.count() == 3


def test_a_draft_resource_cannot_be_added(animateur, session, draft):
    collection = collection_create(by=animateur, title="Lectures", session=session)
    with pytest.raises(ValidationError) as error:
        collection_item_add(collection=collection, resource=draft)
    assert error.value.messages == [
        "Seules les ressources publiées peuvent être ajoutées à une collection."
    ]
    assert not collection.items.exists()


def test_moves_swap_neighbours_and_stop_at_the_ends(public_collection, resources):
    first, second = public_collection.items.order_by("position")
    collection_item_move(item=second, direction="up")
    assert _order(public_collection) == [(1, resources[1].title), (2, resources[0].title)]
    with pytest.raises(ValidationError) as error:
        collection_item_move(item=second, direction="up")
    assert error.value.messages == [f"« {resources[1].title} » est déjà en premier."]
    with pytest.raises(ValidationError) as error:
        collection_item_move(item=first, direction="down")
    assert error.value.messages == [f"« {resources[0].title} » est déjà en dernier."]
    with pytest.raises(ValidationError):
        collection_item_move(item=first, direction="sideways")  # type: ignore[arg-type]
    assert _order(public_collection) == [(1, resources[1].title), (2, resources[0].title)]
    collection_item_move(item=first, direction="up")
    assert _order(public_collection) == [(1, resources[0].title), (2, resources[1].title)]


def test_removing_closes_the_gap(animateur, session, resources):
    collection = collection_create(by=animateur, title="Lectures", session=session)
    items = [collection_item_add(collection=collection, resource=r) for r in resources]
    collection_item_remove(item=items[0])
    assert _order(collection) == [(1, resources[1].title), (2, resources[2].title)]
    collection_item_move(item=items[2], direction="up")
    assert _order(collection) == [(1, resources[2].title), (2, resources[1].title)]


def test_a_note_is_saved_trimmed_and_a_too_long_one_refused(public_collection):
    item = public_collection.items.order_by("position").first()
    collection_item_note(item=item, note="  Pour les binômes qui débutent.  ")
    item.refresh_from_db()
    assert item.note == "Pour les binômes qui débutent."
    with pytest.raises(ValidationError) as error:
        collection_item_note(item=item, note="x" * 301)
    assert "300" in " ".join(error.value.messages)
    item.refresh_from_db()
    assert item.note == "Pour les binômes qui débutent."


def test_deleting_a_collection_keeps_its_resources(public_collection, resources):
    collection_delete(collection=public_collection)
    assert not Collection.objects.exists()
    assert not CollectionItem.objects.exists()
    assert all(type(r).objects.filter(pk=r.pk).exists() for r in resources)


def test_who_sees_which_collection(
    public_collection, private_collection, admin, animateur, other_animateur, participant,
    outsider, other_participant,
):
    from django.contrib.auth.models import AnonymousUser

    both = {public_collection.pk, private_collection.pk}
    public = {public_collection.pk}
    expected = [
        (AnonymousUser(), public), (outsider, public), (other_participant, public),
        (other_animateur, public), (participant, both), (animateur, both), (admin, both),
    ]
    for user, pks in expected:
        assert set(collections_visible_to(user).values_list("pk", flat=True)) == pks, user
        for collection in (public_collection, private_collection):
            assert user.has_perm("resources.view_collection", collection) == (
                collection.pk in pks
            ), user
    # A collection of one's own, without a session, is seen by its author.
    own = collection_create(by=other_animateur, title="Ma veille", is_public=False)
    assert own.pk in collections_visible_to(other_animateur).values_list("pk", flat=True)
    assert own.pk not in collections_visible_to(participant).values_list("pk", flat=True)


def test_an_unpublished_resource_is_shown_only_to_those_who_see_drafts(
    public_collection, resources, session, animateur, participant
):
    from django.contrib.auth.models import AnonymousUser

    from alliances.resources.services import resource_unpublish

    resource_unpublish(resource=resources[0], by=animateur, reason="À mettre à jour.")
    assert resources[0].__class__.objects.get(pk=resources[0].pk).status == ResourceStatus.DRAFT
    assert [i.resource for i in collection_items(public_collection, AnonymousUser())] == [
        resources[1]
    ]
    assert [i.resource for i in collection_items(public_collection, participant)] == [
        resources[1]
    ]
    assert [i.resource for i in collection_items(public_collection, animateur)] == resources[:2]
    (listed,) = [c for c in collection_list(participant) if c.pk == public_collection.pk]
    assert listed.shown_count == 1
    (panel,) = session_collections(session, AnonymousUser())
    assert panel.shown_count == 1


def test_an_edit_of_a_resource_does_not_touch_collections(public_collection, resources):
    resource_update(resource=resources[0], by=None, title="Fiche pratique renommée")
    assert [i.resource.title for i in collection_items(public_collection, None)] == [
        "Fiche pratique renommée", resources[1].title
    ]
