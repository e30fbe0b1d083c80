"""Services of the discussions: threads, posts, follows, moderation, notifications."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alliances.accounts.services import user_create
from alliances.discussions import services
from alliances.discussions.handles import cohort_handles
from alliances.discussions.models import Follow, Post, Thread
from alliances.journeys.models import CohortRole
from alliances.journeys.services import cohort_member_add
from alliances.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _kinds(user) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", "url"))


def test_a_new_thread_is_followed_by_its_author_and_told_to_the_animateurs_only(
    cohort, participant, animateur, intervenant, neighbour
):
    thread = services.thread_create(
        cohort=cohort, author=participant, title="Budget participatif", body="Qui a un modèle ?"
    )
    assert thread.posts.count() == 1
    assert thread.last_post_at == thread.created_at
    assert Follow.objects.filter(thread=thread, user=participant).exists()
    assert [n.kind for n in Notification.objects.filter(recipient=animateur)] == ["thread"]
    note = Notification.objects.get(recipient=animateur)
    assert "Budget participatif" in note.title
    assert note.url == f"/parcours/discussions/fils/{thread.pk}/#post-{thread.posts.get().pk}"
    assert note.cohort == cohort
    # Not everyone: the other members are not told of a new thread.
    assert not Notification.objects.filter(recipient__in=[intervenant, neighbour]).exists()
    assert not Notification.objects.filter(recipient=participant).exists()


def test_the_body_is_rendered_and_sanitised_when_written(cohort, participant):
    thread = services.thread_create(
        cohort=cohort,
        author=participant,
        title="Essai",
        body="**gras** <script>alert(1)</script> [x](javascript:alert(2))",
    )
    html = thread.posts.get().body_html
    assert "<strong>gras</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html


def test_a_reply_notifies_the_followers_and_moves_the_thread_up(
    cohort, participant, animateur, intervenant
):
    with time_machine.travel(datetime.datetime(2027, 2, 1, 10, tzinfo=datetime.UTC), tick=False):
        thread = services.thread_create(cohort=cohort, author=participant, title="T", body="Un")
    services.thread_follow(thread=thread, user=animateur)
    Notification.objects.all().delete()
    with time_machine.travel(datetime.datetime(2027, 2, 2, 10, tzinfo=datetime.UTC), tick=False):
        post = services.post_create(thread=thread, author=intervenant, body="Deux")
    thread.refresh_from_db()
    assert thread.last_post_at == post.created_at
    assert [k for k, _url in _kinds(participant)] == ["reply"]
    assert [k for k, _url in _kinds(animateur)] == ["reply"]
    assert _kinds(intervenant) == []  # the actor is not told of their own post
    # The replier follows from now on.
    assert Follow.objects.filter(thread=thread, user=intervenant).exists()


def test_a_mention_takes_precedence_once_per_person_and_post(
    cohort, participant, animateur, intervenant
):
    thread = services.thread_create(cohort=cohort, author=participant, title="T", body="Un")
    services.thread_follow(thread=thread, user=animateur)
    Notification.objects.all().delete()
    services.post_create(
        thread=thread,
        author=intervenant,
        body="@antoine-animateur regardez ; @Antoine-Animateur encore, et @paul-participant",
    )
    assert [k for k, _url in _kinds(animateur)] == ["mention"]
    assert [k for k, _url in _kinds(participant)] == ["mention"]


def test_a_thread_mentioning_an_animateur_gives_them_one_mention(cohort, participant, animateur):
    services.thread_create(
        cohort=cohort, author=participant, title="Aide", body="Bonjour @antoine-animateur !"
    )
    assert [k for k, _url in _kinds(animateur)] == ["mention"]
    assert "Paul Participant" in Notification.objects.get(recipient=animateur).title


def test_mentions_outside_the_audience_or_in_code_are_ignored(
    cohort, territory, participant, intervenant, neighbour, animateur
):
    services.thread_create(
        cohort=cohort,
        author=participant,
        pilot_territory=territory,
        title="Équipe",
        body="@ines-intervenante @nadia-voisine `@antoine-animateur` @personne",
    )
    # The intervenant and the other territory's participant cannot read a territory thread.
    assert _kinds(intervenant) == []
    assert _kinds(neighbour) == []
    # The animateur is told of the new thread, not mentioned (the mention was code).
    assert [k for k, _url in _kinds(animateur)] == ["thread"]


def test_handles_are_folded_and_unique_within_the_cohort(cohort, password):
    first = user_create(email="a1@example.org", password=password, display_name="Anaïs Lefèvre")
    second = user_create(email="a2@example.org", password=password, display_name="Anais Lefevre")
    cohort_member_add(cohort=cohort, user=first, role=CohortRole.PARTICIPANT)
    cohort_member_add(cohort=cohort, user=second, role=CohortRole.PARTICIPANT)
    handles = {h: m.user for h, m in cohort_handles(cohort.pk).items()}
    assert handles["anais-lefevre"] == first
    assert handles["anais-lefevre-2"] == second
    assert handles["paul-participant"].email == "participant@example.org"
    assert handles["antoine-animateur"].email == "animateur@example.org"


def test_observers_read_but_do_not_post(cohort, participant, observer):
    thread = services.thread_create(cohort=cohort, author=participant, title="T", body="Un")
    with pytest.raises(PermissionDenied):
        services.post_create(thread=thread, author=observer, body="Moi aussi")
    with pytest.raises(PermissionDenied):
        services.thread_create(cohort=cohort, author=observer, title="T", body="Un")
    services.thread_follow(thread=thread, user=observer)


def test_territory_threads_are_the_teams_and_the_animations(
    cohort, territory, participant, neighbour, animateur, admin
):
    thread = services.thread_create(
        cohort=cohort, author=participant, pilot_territory=territory, title="T", body="Un"
    )
    with pytest.raises(PermissionDenied):
        services.post_create(thread=thread, author=neighbour, body="Je passe")
    with pytest.raises(PermissionDenied):
        services.thread_follow(thread=thread, user=neighbour)
    services.post_create(thread=thread, author=animateur, body="Bien vu")
    services.post_create(thread=thread, author=admin, body="Bien vu aussi")
    assert thread.posts.count() == 3


def test_a_territory_of_another_cohort_is_refused(cohort, other_cohort, participant):
    from alliances.journeys.services import pilot_territory_add

    elsewhere = pilot_territory_add(cohort=other_cohort, name="Ailleurs")
    with pytest.raises(ValidationError):
        services.thread_create(
            cohort=cohort, author=participant, pilot_territory=elsewhere, title="T", body="Un"
        )
    assert not Thread.objects.exists()


def test_a_locked_thread_takes_no_post(cohort, participant, animateur):
    thread = services.thread_create(cohort=cohort, author=participant, title="T", body="Un")
    with pytest.raises(PermissionDenied):
        services.thread_lock(thread=thread, by=participant)
    services.thread_lock(thread=thread, by=animateur)
    with pytest.raises(ValidationError) as error:
        services.post_create(thread=thread, author=participant, body="Encore")
    assert "body" in error.value.message_dict
    assert thread.posts.count() == 1
    services.thread_lock(thread=thread, by=animateur, locked=False)
    services.post_create(thread=thread, author=participant, body="Encore")


def test_pinning_is_for_the_animation(cohort, participant, animateur):
    thread = services.thread_create(cohort=cohort, author=participant, title="T", body="Un")
    with pytest.raises(PermissionDenied):
        services.thread_pin(thread=thread, by=participant)
    services.thread_pin(thread=thread, by=animateur)
    assert Thread.objects.get(pk=thread.pk).pinned


def test_the_author_edits_within_24_hours(cohort, participant, intervenant, animateur):
    start = datetime.datetime(2027, 2, 1, 10, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        thread = services.thread_create(cohort=cohort, author=participant, title="T", body="Un")
        post = thread.posts.get()
        with pytest.raises(PermissionDenied):
            services.post_edit(post=post, user=intervenant, body="Pas à moi")
    Notification.objects.all().delete()
    with time_machine.travel(start + datetime.timedelta(hours=23), tick=False):
        services.post_edit(post=post, user=participant, body="Un, **corrigé** @antoine-animateur")
    post.refresh_from_db()
    assert "<strong>corrigé</strong>" in post.body_html
    assert post.edited_at == start + datetime.timedelta(hours=23)
    assert [k for k, _url in _kinds(animateur)] == ["mention"]
    # A second edit mentioning the same person does not tell them twice.
    with time_machine.travel(start + datetime.timedelta(hours=23, minutes=30), tick=False):
        services.post_edit(post=post, user=participant, body="Un @antoine-animateur !")
    assert len(_kinds(animateur)) == 1
    with time_machine.travel(start + datetime.timedelta(hours=24, minutes=1), tick=False):
        with pytest.raises(PermissionDenied):
            services.post_edit(post=post, user=participant, body="Trop tard")
    assert Post.objects.get(pk=post.pk).body == "Un @antoine-animateur !"


def test_moderation_hides_with_a_reason(cohort, participant, intervenant, animateur):
    thread = services.thread_create(cohort=cohort, author=participant, title="T", body="Un")
    post = services.post_create(thread=thread, author=intervenant, body="Hors sujet")
    with pytest.raises(PermissionDenied):
        services.post_hide(post=post, by=participant, reason="Non")
    with pytest.raises(ValidationError):
        services.post_hide(post=post, by=animateur, reason="  ")
    assert Post.objects.get(pk=post.pk).hidden_at is None
    services.post_hide(post=post, by=animateur, reason="Hors sujet")
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_by == animateur and post.hidden_reason == "Hors sujet"
    # A hidden post cannot be edited by its author any more.
    with pytest.raises(PermissionDenied):
        services.post_edit(post=post, user=intervenant, body="Rectifié")
    services.post_unhide(post=post, by=animateur)
    assert not Post.objects.get(pk=post.pk).is_hidden


def test_follow_and_unfollow(cohort, participant, intervenant):
    thread = services.thread_create(cohort=cohort, author=participant, title="T", body="Un")
    services.thread_follow(thread=thread, user=intervenant)
    services.thread_follow(thread=thread, user=intervenant)  # idempotent
    assert Follow.objects.filter(thread=thread).count() == 2
    services.thread_unfollow(thread=thread, user=participant)
    Notification.objects.all().delete()
    services.post_create(thread=thread, author=intervenant, body="Deux")
    assert _kinds(participant) == []


def test_the_link_points_at_the_page_of_the_post(cohort, participant, intervenant):
    thread = services.thread_create(cohort=cohort, author=participant, title="T", body="0")
    base = timezone.now()
    for n in range(services.POSTS_PER_PAGE):
        with time_machine.travel(base + datetime.timedelta(minutes=n + 1), tick=False):
            last = services.post_create(thread=thread, author=intervenant, body=str(n + 1))
    assert (
        services.post_url(last) == f"/parcours/discussions/fils/{thread.pk}/?page=2#post-{last.pk}"
    )
