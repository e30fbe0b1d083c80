"""Who may see, post in, moderate, and download from the discussions: the whole matrix.

`login`: anonymous visitors are sent to log in; 404: the thread (or cohort) does not
exist for them; 403: they see it but may not do that; `ok`: done.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliances.discussions import services
from alliances.discussions.models import Post

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "outsider",
    "other_cohort",
    "participant",
    "other_territory",
    "observer",
    "intervenant",
    "animateur",
    "admin",
]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

COHORT_THREAD = {
    #                  see    post   moderate download
    "anonymous": ("login", "login", "login", "login"),
    "outsider": (404, 404, 404, 404),
    "other_cohort": (404, 404, 404, 404),
    "participant": ("ok", "ok", 403, "ok"),
    "other_territory": ("ok", "ok", 403, "ok"),
    "observer": ("ok", 403, 403, "ok"),
    "intervenant": ("ok", "ok", 403, "ok"),
    "animateur": ("ok", "ok", "ok", "ok"),
    "admin": ("ok", "ok", "ok", "ok"),
}
TERRITORY_THREAD = {
    "anonymous": ("login", "login", "login", "login"),
    "outsider": (404, 404, 404, 404),
    "other_cohort": (404, 404, 404, 404),
    "participant": ("ok", "ok", 403, "ok"),
    "other_territory": (404, 404, 404, 404),
    "observer": (404, 404, 404, 404),
    "intervenant": (404, 404, 404, 404),
    "animateur": ("ok", "ok", "ok", "ok"),
    "admin": ("ok", "ok", "ok", "ok"),
}


def _outcome(response) -> str | int:
    if response.status_code == 302:
        return "login" if response["Location"].startswith("/compte/login/") else "ok"
    if response.status_code == 200:
        return "ok"
    return response.status_code


def _thread(cohort, participant, territory=None):
    return services.thread_create(
        cohort=cohort,
        author=participant,
        pilot_territory=territory,
        title="Sujet",
        body="Premier message",
        attachments=[SimpleUploadedFile("compte-rendu.pdf", PDF, "application/pdf")],
    )


def _check(client, everyone, persona, thread, expected):
    user = everyone[persona]
    if user is not None:
        client.force_login(user)
    see, post, moderate, download = expected[persona]
    first = thread.posts.get()
    attachment = first.attachments.get()
    response = client.get(f"/parcours/discussions/fils/{thread.pk}/")
    assert _outcome(response) == see, "see"
    response = client.get(f"/parcours/discussions/pieces-jointes/{attachment.pk}/")
    assert _outcome(response) == download, "download"
    if download == "ok":
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment;")
    before = Post.objects.count()
    response = client.post(f"/parcours/discussions/fils/{thread.pk}/", {"body": "Une réponse"})
    assert _outcome(response) == post, "post"
    assert Post.objects.count() == before + (1 if post == "ok" else 0)
    response = client.post(
        f"/parcours/discussions/messages/{first.pk}/masquer/", {"reason": "Hors sujet"}
    )
    assert _outcome(response) == moderate, "moderate"
    first.refresh_from_db()
    assert first.is_hidden == (moderate == "ok")
    response = client.post(f"/parcours/discussions/fils/{thread.pk}/verrouiller/", {"locked": "1"})
    assert _outcome(response) == moderate, "lock"
    thread.refresh_from_db()
    assert thread.locked == (moderate == "ok")


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_thread_of_the_cohort(client, everyone, cohort, participant, persona):
    _check(client, everyone, persona, _thread(cohort, participant), COHORT_THREAD)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_thread_of_a_pilot_territory(client, everyone, cohort, territory, participant, persona):
    _check(client, everyone, persona, _thread(cohort, participant, territory), TERRITORY_THREAD)


LISTS = {
    # persona: (cohort list, own-territory list, start a cohort thread)
    "anonymous": ("login", "login", "login"),
    "outsider": (404, 404, 404),
    "other_cohort": (404, 404, 404),
    "participant": ("ok", "ok", "ok"),
    "other_territory": ("ok", 404, "ok"),
    "observer": ("ok", 404, 403),
    "intervenant": ("ok", 404, "ok"),
    "animateur": ("ok", "ok", "ok"),
    "admin": ("ok", "ok", "ok"),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_lists_and_starting_a_thread(client, everyone, cohort, territory, persona):
    user = everyone[persona]
    if user is not None:
        client.force_login(user)
    listing, team, start = LISTS[persona]
    assert _outcome(client.get(f"/parcours/{cohort.slug}/discussions/")) == listing
    url = f"/parcours/{cohort.slug}/discussions/territoire/{territory.pk}/"
    assert _outcome(client.get(url)) == team
    response = client.post(
        f"/parcours/{cohort.slug}/discussions/", {"title": "Nouveau", "body": "Bonjour"}
    )
    assert _outcome(response) == start


def test_a_public_cohort_keeps_its_discussions_private(client, public_cohort, animateur, outsider):
    services.thread_create(cohort=public_cohort, author=animateur, title="Interne", body="x")
    client.force_login(outsider)
    assert client.get(f"/parcours/{public_cohort.slug}/discussions/").status_code == 404
    thread = public_cohort.threads.get()
    assert client.get(f"/parcours/discussions/fils/{thread.pk}/").status_code == 404


def test_a_territory_of_another_cohort_is_not_found(client, cohort, other_cohort, animateur):
    from alliances.journeys.services import pilot_territory_add

    elsewhere = pilot_territory_add(cohort=other_cohort, name="Ailleurs")
    client.force_login(animateur)
    url = f"/parcours/{cohort.slug}/discussions/territoire/{elsewhere.pk}/"
    assert client.get(url).status_code == 404


def test_a_hidden_posts_files_are_for_the_animation_only(
    client, cohort, participant, intervenant, animateur
):
    thread = _thread(cohort, participant)
    post = thread.posts.get()
    services.post_hide(post=post, by=animateur, reason="Document personnel")
    attachment = post.attachments.get()
    client.force_login(intervenant)
    page = client.get(f"/parcours/discussions/fils/{thread.pk}/").content.decode()
    assert "Premier message" not in page
    assert "compte-rendu.pdf" not in page
    assert client.get(f"/parcours/discussions/pieces-jointes/{attachment.pk}/").status_code == 404
    client.force_login(animateur)
    page = client.get(f"/parcours/discussions/fils/{thread.pk}/").content.decode()
    assert "Premier message" in page and "Document personnel" in page
    assert client.get(f"/parcours/discussions/pieces-jointes/{attachment.pk}/").status_code == 200


def test_only_the_author_edits(client, cohort, participant, intervenant, animateur):
    thread = _thread(cohort, participant)
    post = thread.posts.get()
    url = f"/parcours/discussions/messages/{post.pk}/modifier/"
    for user in (intervenant, animateur):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"body": "Pas à moi"}).status_code == 403
    client.force_login(participant)
    assert client.get(url).status_code == 200
    response = client.post(url, {"body": "Premier message, corrigé"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Premier message, corrigé" and post.edited_at is not None


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_the_actions_take_post_only(client, cohort, participant, animateur, method):
    thread = _thread(cohort, participant)
    client.force_login(animateur)
    for action in ("suivre", "verrouiller", "epingler"):
        response = getattr(client, method)(f"/parcours/discussions/fils/{thread.pk}/{action}/")
        assert response.status_code == 405
