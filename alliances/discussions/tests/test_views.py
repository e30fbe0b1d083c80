"""The discussion pages: what they show, the follow toggle, query counts, the panel."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils import timezone

from alliances.discussions import services
from alliances.discussions.models import Follow, Post, ThreadRead

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def _many(cohort, territory, participant, intervenant, threads=25, replies=0):
    base = timezone.now()
    made = []
    for n in range(threads):
        with time_machine.travel(base + datetime.timedelta(minutes=n), tick=False):
            made.append(
                services.thread_create(
                    cohort=cohort,
                    author=participant if n % 2 or n % 5 == 0 else intervenant,
                    pilot_territory=territory if n % 5 == 0 else None,
                    title=f"Sujet {n}",
                    body=f"Message {n}",
                    attachments=[SimpleUploadedFile(f"n{n}.pdf", PDF)] if n % 3 == 0 else [],
                )
            )
    thread = made[1]
    for n in range(replies):
        with time_machine.travel(base + datetime.timedelta(hours=1, minutes=n), tick=False):
            services.post_create(
                thread=thread,
                author=intervenant if n % 2 else participant,
                body=f"Réponse {n}",
                attachments=[SimpleUploadedFile(f"r{n}.pdf", PDF)],
            )
    return made


def test_the_cohort_list_shows_threads_with_new_markers(
    client, cohort, territory, participant, intervenant
):
    older = services.thread_create(cohort=cohort, author=intervenant, title="Ancien", body="x")
    newer = services.thread_create(cohort=cohort, author=intervenant, title="Récent", body="x")
    mine = services.thread_create(
        cohort=cohort, author=participant, pilot_territory=territory, title="Équipe", body="x"
    )
    services.thread_mark_read(thread=older, user=participant)
    client.force_login(participant)
    page = client.get(f"/parcours/{cohort.slug}/discussions/").content.decode()
    assert page.index("Récent") < page.index("Ancien")
    assert "Équipe" not in page  # on the territory's page
    assert page.count("discussion-unread") == 1  # “Récent”: the other one was read
    assert f"/parcours/{cohort.slug}/discussions/territoire/{territory.pk}/" in page
    assert 'name="title"' in page and "@paul-participant" in page
    page = client.get(f"/parcours/{cohort.slug}/discussions/territoire/{territory.pk}/")
    assert "Équipe" in page.content.decode()
    assert mine.pk and newer.pk


def test_opening_a_thread_marks_it_read(client, cohort, participant, intervenant):
    thread = services.thread_create(cohort=cohort, author=intervenant, title="T", body="x")
    client.force_login(participant)
    assert not ThreadRead.objects.filter(thread=thread, user=participant).exists()
    client.get(f"/parcours/discussions/fils/{thread.pk}/")
    client.get(f"/parcours/discussions/fils/{thread.pk}/")
    assert ThreadRead.objects.filter(thread=thread, user=participant).count() == 1


def test_a_reply_lands_on_its_page(client, cohort, participant, intervenant):
    thread = services.thread_create(cohort=cohort, author=intervenant, title="T", body="x")
    client.force_login(participant)
    response = client.post(
        f"/parcours/discussions/fils/{thread.pk}/",
        {"body": "Ma **réponse**", "attachments": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    post = Post.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == f"/parcours/discussions/fils/{thread.pk}/#post-{post.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "<strong>réponse</strong>" in page
    assert f"/parcours/discussions/pieces-jointes/{post.attachments.get().pk}/" in page
    assert Follow.objects.filter(thread=thread, user=participant).exists()


def test_following_toggles_with_htmx_and_without(client, cohort, participant, intervenant):
    thread = services.thread_create(cohort=cohort, author=intervenant, title="T", body="x")
    client.force_login(participant)
    url = f"/parcours/discussions/fils/{thread.pk}/suivre/"
    response = client.post(url, {"follow": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith("<form") and "<html" not in fragment
    assert 'name="follow" value="0"' in fragment
    assert Follow.objects.filter(thread=thread, user=participant).exists()
    response = client.post(url, {"follow": "0"})
    assert response.status_code == 302
    assert not Follow.objects.filter(thread=thread, user=participant).exists()


def test_moderators_see_the_buttons_others_do_not(client, cohort, participant, animateur):
    thread = services.thread_create(cohort=cohort, author=participant, title="T", body="x")
    post = thread.posts.get()
    client.force_login(participant)
    page = client.get(f"/parcours/discussions/fils/{thread.pk}/").content.decode()
    assert f"/messages/{post.pk}/masquer/" not in page and "/verrouiller/" not in page
    assert f"/messages/{post.pk}/modifier/" in page
    client.force_login(animateur)
    page = client.get(f"/parcours/discussions/fils/{thread.pk}/").content.decode()
    assert f"/messages/{post.pk}/masquer/" in page and "/verrouiller/" in page
    assert f"/messages/{post.pk}/modifier/" not in page


def test_a_hidden_post_shows_the_notice(client, cohort, participant, intervenant, animateur):
    thread = services.thread_create(cohort=cohort, author=participant, title="T", body="Secret")
    services.post_hide(post=thread.posts.get(), by=animateur, reason="Données personnelles")
    client.force_login(intervenant)
    page = client.get(f"/parcours/discussions/fils/{thread.pk}/").content.decode()
    assert "Secret" not in page and "Données personnelles" not in page
    assert "discussion-hidden-note" in page


def test_the_lists_query_count_is_locked(
    client, cohort, territory, participant, intervenant, animateur, django_assert_max_num_queries
):
    _many(cohort, territory, participant, intervenant, threads=45)
    for user in (participant, animateur):
        client.force_login(user)
        with django_assert_max_num_queries(12):
            response = client.get(f"/parcours/{cohort.slug}/discussions/")
        assert response.status_code == 200
        with django_assert_max_num_queries(12):
            response = client.get(f"/parcours/{cohort.slug}/discussions/?page=2")
        assert response.status_code == 200
        url = f"/parcours/{cohort.slug}/discussions/territoire/{territory.pk}/"
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_the_thread_query_count_is_locked(
    client, cohort, territory, participant, intervenant, animateur, django_assert_max_num_queries
):
    thread = _many(cohort, territory, participant, intervenant, threads=2, replies=40)[1]
    for user in (participant, animateur):
        client.force_login(user)
        for page in ("", "?page=2"):
            with django_assert_max_num_queries(12):
                response = client.get(f"/parcours/discussions/fils/{thread.pk}/{page}")
            assert response.status_code == 200
    assert "Réponse 39" in response.content.decode()


def test_the_cohort_panel_takes_two_queries(
    rf, cohort, territory, participant, intervenant, outsider, django_assert_max_num_queries
):
    made = _many(cohort, territory, participant, intervenant, threads=12)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1), tick=False):
        services.thread_mark_read(thread=made[-1], user=participant)
    template = Template("{% load discussions_tags %}{% discussions_cohort_panel cohort %}")
    with django_assert_max_num_queries(2):
        html = template.render(Context({"cohort": cohort, "user": participant}))
    # The five latest the participant may read (11 to 7); the participant wrote or opened
    # all but “Sujet 8”, which is new.
    assert html.count("discussion-item") == 5
    assert html.count("discussion-unread") == 1
    assert html.index("discussion-unread") < html.index("Sujet 8") < html.index("Sujet 7")
    assert "Sujet 11" in html and "Sujet 6" not in html
    with django_assert_max_num_queries(1):
        assert "discussion-item" not in template.render(
            Context({"cohort": cohort, "user": outsider})
        )


def test_the_back_office_lists_and_shows_threads_and_posts(client, cohort, participant, admin):
    thread = services.thread_create(cohort=cohort, author=participant, title="T", body="Un")
    client.force_login(admin)
    post = thread.posts.get()
    for url in (
        "/admin/discussions/thread/",
        f"/admin/discussions/thread/{thread.pk}/change/",
        "/admin/discussions/post/",
        f"/admin/discussions/post/{post.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_panel_and_the_handles_follow_the_audience(
    client, cohort, territory, other_territory, participant, neighbour, intervenant, animateur
):
    services.thread_create(
        cohort=cohort, author=participant, pilot_territory=territory, title="Chez nous", body="x"
    )
    services.thread_create(
        cohort=cohort,
        author=neighbour,
        pilot_territory=other_territory,
        title="Au Nord",
        body="x",
    )
    template = Template("{% load discussions_tags %}{% discussions_cohort_panel cohort %}")
    mine = template.render(Context({"cohort": cohort, "user": participant}))
    assert "Chez nous" in mine and "Au Nord" not in mine
    everything = template.render(Context({"cohort": cohort, "user": animateur}))
    assert "Chez nous" in everything and "Au Nord" in everything
    assert (
        template.render(Context({"cohort": cohort, "user": intervenant})).count("discussion-item")
        == 0
    )
    thread = cohort.threads.get(title="Chez nous")
    client.force_login(participant)
    page = client.get(f"/parcours/discussions/fils/{thread.pk}/").content.decode()
    assert "@antoine-animateur" in page and "@paul-participant" in page
    assert "@ines-intervenante" not in page and "@nadia-voisine" not in page
