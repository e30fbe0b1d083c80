"""The session page, unregistering, and the download of a session's supports."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliances.journeys.models import CohortRole, Registration, Session
from alliances.journeys.services import (
    cohort_member_add,
    paris_datetime,
    registration_cancel,
    session_material_add,
    session_register,
    session_update,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def session(cohort) -> Session:
    return cohort.sessions.order_by("start").first()


def _login(client, user, password):
    if user is not None:
        assert client.login(email=user.email, password=password)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 404),
        ("outsider", 404),
        ("other_participant", 404),
        ("participant", 200),
        ("intervenant", 200),
        ("animateur", 200),
        ("admin", 200),
    ],
)
def test_private_session_page_permissions(client, request, password, session, who, status):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    request.getfixturevalue("other_cohort")
    _login(client, user, password)
    response = client.get(reverse("journeys:session", args=[session.pk]))
    assert response.status_code == status


def test_public_session_page_hides_the_link_from_outsiders(
    client, public_cohort, outsider, password, animateur
):
    session = public_cohort.sessions.order_by("start").first()
    session_update(session=session, data={"link": "https://visio.example.org/salle-secrete"})
    url = reverse("journeys:session", args=[session.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "salle-secrete" not in response.text
    _login(client, outsider, password)
    assert "salle-secrete" not in client.get(url).text
    _login(client, animateur, password)
    assert "salle-secrete" in client.get(url).text


def test_session_page_shows_agenda_speakers_seats_in_paris_time(
    client, cohort, session, participant, intervenant, password
):
    start = paris_datetime(cohort.start + datetime.timedelta(days=2), datetime.time(14, 0))
    session_update(
        session=session,
        data={
            "start": start,
            "end": start + datetime.timedelta(hours=2),
            "agenda": "## Déroulé\n\n* accueil\n* <script>alert(1)</script>",
            "capacity": 3,
            "speakers_text": "Zoé Témoin",
        },
        speakers=[intervenant],
    )
    session_register(session=session, user=participant)
    _login(client, participant, password)
    text = client.get(reverse("journeys:session", args=[session.pk])).text
    assert "14:00" in text and "16:00" in text
    assert "<h4>Déroulé</h4>" in text
    assert "<script>alert" not in text
    assert "Inès Intervenante" in text and "Zoé Témoin" in text
    assert "2 places restantes sur 3" in text or "2 seats left out of 3" in text
    assert reverse("journeys:session_unregister", args=[session.pk]) in text


def test_replay_and_feedback_only_once_the_session_is_over(client, session, participant, password):
    session_update(session=session, data={"replay_url": "https://replay.example.org/r1"})
    url = reverse("journeys:session", args=[session.pk])
    _login(client, participant, password)
    before = client.get(url).text
    assert "replay.example.org" not in before
    assert reverse("journeys:session_feedback", args=[session.pk]) not in before
    with time_machine.travel(session.end + datetime.timedelta(minutes=1), tick=False):
        _login(client, participant, password)  # the sign-in session would have expired
        after = client.get(url).text
    assert "replay.example.org" in after
    assert reverse("journeys:session_feedback", args=[session.pk]) in after


def test_session_page_query_count_is_locked(
    client,
    session,
    participant,
    intervenant,
    password,
    django_assert_max_num_queries,
    settings,
    tmp_path,
    animateur,
):
    settings.MEDIA_ROOT = tmp_path
    session_update(session=session, data={}, speakers=[intervenant, participant])
    for n in range(3):
        session_material_add(
            session=session, title=f"Lien {n}", url=f"https://example.org/{n}", added_by=animateur
        )
    session_register(session=session, user=participant)
    _login(client, participant, password)
    url = reverse("journeys:session", args=[session.pk])
    client.get(url)
    # session (user, session auth) + session with counts, membership, registered, speakers,
    # materials, the session's collections (resources app), messages.
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200


def test_registering_from_the_session_page_comes_back_to_it(client, session, participant,
                                                            password):
    _login(client, participant, password)
    register = reverse("journeys:session_register", args=[session.pk])
    response = client.post(register, {"back": "session"})
    assert response.url == reverse("journeys:session", args=[session.pk])
    assert Registration.objects.filter(session=session, user=participant).exists()
    # Anything else goes back to the cohort space: no open redirect.
    registration_cancel(session=session, user=participant)
    response = client.post(register, {"back": "https://example.com/"})
    assert response.url.startswith(reverse("journeys:cohort", args=[session.cohort.slug]))


def test_unregister(client, session, participant, password):
    session_register(session=session, user=participant)
    _login(client, participant, password)
    response = client.post(reverse("journeys:session_unregister", args=[session.pk]))
    assert response.status_code == 302
    assert not Registration.objects.filter(session=session, user=participant).exists()


def test_unregister_is_refused_to_outsiders_and_after_the_end(
    client, session, participant, outsider, password
):
    url = reverse("journeys:session_unregister", args=[session.pk])
    assert client.post(url).status_code == 302  # to the sign-in page
    _login(client, outsider, password)
    assert client.post(url).status_code == 404
    session_register(session=session, user=participant)
    _login(client, participant, password)
    with time_machine.travel(session.end + datetime.timedelta(minutes=1), tick=False):
        _login(client, participant, password)
        assert client.post(url).status_code == 302
    assert Registration.objects.filter(session=session, user=participant).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 404),
        ("outsider", 404),
        ("other_participant", 404),
        ("participant", 200),
        ("intervenant", 200),
        ("animateur", 200),
        ("admin", 200),
    ],
)
def test_material_download_permissions(
    client, request, password, session, settings, tmp_path, animateur, who, status
):
    settings.MEDIA_ROOT = tmp_path
    request.getfixturevalue("other_cohort")
    material = session_material_add(
        session=session,
        title="Diaporama",
        file=SimpleUploadedFile("diaporama.pdf", PDF, content_type="application/pdf"),
        added_by=animateur,
    )
    user = None if who == "anonymous" else request.getfixturevalue(who)
    _login(client, user, password)
    response = client.get(reverse("journeys:material", args=[material.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PDF


def test_material_link_redirects(client, session, participant, animateur, password):
    material = session_material_add(
        session=session, title="Lecture", url="https://example.org/lecture", added_by=animateur
    )
    _login(client, participant, password)
    response = client.get(reverse("journeys:material", args=[material.pk]))
    assert response.status_code == 302
    assert response["Location"] == "https://example.org/lecture"


def test_observer_sees_but_cannot_register(client, cohort, session, outsider, password):
    cohort_member_add(cohort=cohort, user=outsider, role=CohortRole.OBSERVATEUR)
    _login(client, outsider, password)
    text = client.get(reverse("journeys:session", args=[session.pk])).text
    assert reverse("journeys:session_register", args=[session.pk]) not in text


def test_a_codevelopment_session_shows_its_panel(client, cohort, animateur):
    session = cohort.sessions.filter(kind_id="codeveloppement").order_by("start").first()
    assert session is not None
    client.force_login(animateur)
    response = client.get(reverse("journeys:session", args=[session.pk]))
    assert response.status_code == 200
    assert 'class="codev-panel"' in response.text


def test_an_ordinary_session_shows_no_codevelopment_panel(client, session, animateur):
    client.force_login(animateur)
    response = client.get(reverse("journeys:session", args=[session.pk]))
    assert 'class="codev-panel"' not in response.text
