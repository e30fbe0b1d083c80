"""Individual work: the assignment page, the hand-in, the files, the animateur's review."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliances.accounts.services import user_create
from alliances.journeys.models import CohortRole, Submission, SubmissionFile, SubmissionStatus
from alliances.journeys.selectors import cohort_progress
from alliances.journeys.services import cohort_member_add
from alliances.journeys.submissions import submission_hand_in, submission_review
from alliances.notifications.models import Notification, NotificationKind

PARIS = ZoneInfo("Europe/Paris")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def assignment(cohort):
    return cohort.assignments.order_by("due", "pk").first()


def pdf(name="rendu.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def page_url(assignment):
    return reverse("journeys:assignment", args=[assignment.pk])


def review_url(assignment):
    return reverse("journeys:assignment_review", args=[assignment.pk])


# --- permissions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "page", "review"),
    [
        ("outsider", 404, 404),
        ("other_participant", 404, 404),
        ("participant", 200, 403),
        ("intervenant", 200, 403),
        ("animateur", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_who_sees_the_assignment_and_its_review(
    request, client, cohort, other_cohort, assignment, who, page, review
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(page_url(assignment)).status_code == page
    assert client.get(review_url(assignment)).status_code == review


def test_anonymous_visitors_are_sent_to_sign_in(client, public_cohort):
    assignment = public_cohort.assignments.first()
    for target in (page_url(assignment), review_url(assignment)):
        response = client.get(target)
        assert response.status_code == 302 and "/compte/login/" in response["Location"]


def test_work_of_a_public_cohort_is_not_public(client, public_cohort, outsider):
    client.force_login(outsider)
    assert client.get(page_url(public_cohort.assignments.first())).status_code == 404


def test_only_participants_get_the_hand_in_form(
    client, cohort, assignment, participant, intervenant, animateur
):
    client.force_login(participant)
    assert b'enctype="multipart/form-data"' in client.get(page_url(assignment)).content
    for user in (intervenant, animateur):
        client.force_login(user)
        assert b'enctype="multipart/form-data"' not in client.get(page_url(assignment)).content
        response = client.post(page_url(assignment), {"text": "x"})
        assert response.status_code == 403
    assert not Submission.objects.exists()


# --- hand-in ----------------------------------------------------------------------------


def test_a_participant_hands_in_text_and_a_pdf(client, cohort, assignment, participant, media):
    client.force_login(participant)
    response = client.post(page_url(assignment), {"text": "Notre bilan", "files": [pdf()]})
    assert response.status_code == 302
    submission = Submission.objects.get(assignment=assignment, user=participant)
    assert submission.status == SubmissionStatus.RENDU and submission.submitted_at
    stored = submission.files.get()
    assert stored.name == "rendu.pdf" and stored.size == len(PDF)
    assert (media / stored.file.name).read_bytes() == PDF
    page = client.get(page_url(assignment)).content.decode()
    assert "Notre bilan" in page and reverse("journeys:submission_file", args=[stored.pk]) in page


def test_handing_in_again_keeps_the_files_until_approved(client, cohort, assignment, participant):
    client.force_login(participant)
    client.post(page_url(assignment), {"text": "v1", "files": [pdf("a.pdf")]})
    client.post(page_url(assignment), {"text": "v2", "files": [pdf("b.pdf")]})
    submission = Submission.objects.get()
    assert submission.text == "v2"
    assert sorted(submission.files.values_list("name", flat=True)) == ["a.pdf", "b.pdf"]
    submission_review(submission=submission, feedback="Très bien", status=SubmissionStatus.VALIDE)
    page = client.get(page_url(assignment)).content.decode()
    assert "Très bien" in page and 'enctype="multipart/form-data"' not in page
    client.post(page_url(assignment), {"text": "v3"})
    submission.refresh_from_db()
    assert submission.text == "v2"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": "  "}, "text", "Rédigez votre travail ou joignez un fichier"),
        ({"text": "x", "files": [SimpleUploadedFile("virus.exe", b"MZ\x90\x00")]}, "files", ""),
        (
            {"text": "x", "files": [SimpleUploadedFile("faux.pdf", b"MZ\x90\x00" * 10)]},
            "files",
            "",
        ),
        ({"text": "x", "files": [pdf(f"{n}.pdf") for n in range(6)]}, "files", "5"),
    ],
    ids=["empty", "executable", "renamed", "too-many"],
)
def test_bad_hand_ins_are_refused_by_field_and_nothing_is_saved(
    client, cohort, assignment, participant, media, data, field, message
):
    client.force_login(participant)
    response = client.post(page_url(assignment), data, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not Submission.objects.exists() and not SubmissionFile.objects.exists()
    assert not list(media.rglob("*.*"))


def test_a_file_too_big_is_refused(client, cohort, assignment, participant, settings):
    client.force_login(participant)
    big = SimpleUploadedFile("gros.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")
    response = client.post(page_url(assignment), {"text": "x", "files": [big]})
    assert "files" in response.context["form"].errors
    assert not Submission.objects.exists()


def test_five_files_at_most_across_hand_ins(cohort, assignment, participant):
    submission_hand_in(
        assignment=assignment, user=participant, text="", files=[pdf(f"{n}.pdf") for n in range(4)]
    )
    with pytest.raises(Exception, match="5"):
        submission_hand_in(
            assignment=assignment, user=participant, text="", files=[pdf("e.pdf"), pdf("f.pdf")]
        )
    assert SubmissionFile.objects.count() == 4


def test_lateness_is_shown(client, cohort, assignment, participant):
    after = datetime.datetime.combine(
        assignment.due + datetime.timedelta(days=3), datetime.time(12), tzinfo=PARIS
    )
    with time_machine.travel(after, tick=False):
        client.force_login(participant)
        page = client.get(page_url(assignment))
        assert page.context["late"] is True
        client.post(page_url(assignment), {"text": "En retard"})
        page = client.get(page_url(assignment))
        assert page.context["handed_late"] is True and page.context["late"] is False


# --- files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 404),
        ("other_participant", 404),
        ("intervenant", 404),
        ("participant", 200),
        ("animateur", 200),
        ("admin", 200),
        ("colleague", 404),
    ],
)
def test_who_downloads_a_handed_in_file(
    request, client, cohort, other_cohort, assignment, participant, password, who, status
):
    submission = submission_hand_in(assignment=assignment, user=participant, text="", files=[pdf()])
    stored = submission.files.get()
    if who == "colleague":
        user = user_create(email="colleague@example.org", password=password)
        cohort_member_add(cohort=cohort, user=user, role=CohortRole.PARTICIPANT)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("journeys:submission_file", args=[stored.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]


def test_anonymous_cannot_download(client, cohort, assignment, participant):
    submission = submission_hand_in(assignment=assignment, user=participant, text="", files=[pdf()])
    response = client.get(reverse("journeys:submission_file", args=[submission.files.get().pk]))
    assert response.status_code == 302


# --- review -----------------------------------------------------------------------------


def test_the_review_page_lists_every_participant(
    client, cohort, assignment, participant, animateur, password
):
    other = user_create(email="p2@example.org", password=password, display_name="Paula Deux")
    cohort_member_add(cohort=cohort, user=other, role=CohortRole.PARTICIPANT)
    submission_hand_in(assignment=assignment, user=participant, text="Le mien")
    client.force_login(animateur)
    response = client.get(review_url(assignment))
    page = response.content.decode()
    assert str(participant) in page and "Paula Deux" in page and "Le mien" in page
    assert response.context["handed"] == 1 and len(response.context["rows"]) == 2


def test_the_animateur_validates_without_js(client, cohort, assignment, participant, animateur):
    submission = submission_hand_in(assignment=assignment, user=participant, text="x")
    client.force_login(animateur)
    prefix = f"s{submission.pk}"
    response = client.post(
        reverse("journeys:submission_review", args=[submission.pk]),
        {f"{prefix}-feedback": "Bravo", f"{prefix}-status": "valide"},
    )
    assert response.status_code == 302 and response["Location"] == review_url(assignment)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.VALIDE and submission.feedback == "Bravo"


def test_the_animateur_reviews_under_htmx(client, cohort, assignment, participant, animateur):
    submission = submission_hand_in(assignment=assignment, user=participant, text="x")
    client.force_login(animateur)
    prefix = f"s{submission.pk}"
    response = client.post(
        reverse("journeys:submission_review", args=[submission.pk]),
        {f"{prefix}-feedback": "À revoir", f"{prefix}-status": "rendu"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<li id="review-{participant.pk}"')
    assert "<html" not in body
    submission.refresh_from_db()
    assert submission.feedback == "À revoir" and submission.status == SubmissionStatus.RENDU


@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_review_is_refused_by_field(client, cohort, assignment, participant, animateur, htmx):
    submission = submission_hand_in(assignment=assignment, user=participant, text="x")
    client.force_login(animateur)
    prefix = f"s{submission.pk}"
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        reverse("journeys:submission_review", args=[submission.pk]),
        {f"{prefix}-feedback": "Bien", f"{prefix}-status": "a_faire"},
        HTTP_ACCEPT_LANGUAGE="fr",
        **headers,
    )
    assert response.status_code == 200
    assert "status" in response.context["row"]["form"].errors
    submission.refresh_from_db()
    assert submission.feedback == "" and submission.status == SubmissionStatus.RENDU


@pytest.mark.parametrize(
    ("who", "status"),
    [("participant", 403), ("intervenant", 403), ("outsider", 404), ("other_participant", 404)],
)
def test_only_animateurs_review(
    request, client, cohort, other_cohort, assignment, participant, who, status
):
    submission = submission_hand_in(assignment=assignment, user=participant, text="x")
    client.force_login(request.getfixturevalue(who))
    prefix = f"s{submission.pk}"
    response = client.post(
        reverse("journeys:submission_review", args=[submission.pk]),
        {f"{prefix}-feedback": "Moi-même", f"{prefix}-status": "valide"},
    )
    assert response.status_code == status
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RENDU


# --- query counts -----------------------------------------------------------------------


def test_query_counts_are_locked(
    client, cohort, assignment, participant, animateur, password, django_assert_max_num_queries
):
    territory = cohort.pilot_territories.get()
    for n in range(8):
        user = user_create(email=f"q{n}@example.org", password=password)
        cohort_member_add(
            cohort=cohort, user=user, role=CohortRole.PARTICIPANT, pilot_territory=territory
        )
        submission_hand_in(assignment=assignment, user=user, text="x", files=[pdf()])
    submission_hand_in(assignment=assignment, user=participant, text="x", files=[pdf()])
    client.force_login(participant)
    with django_assert_max_num_queries(7):
        assert client.get(page_url(assignment)).status_code == 200
    client.force_login(animateur)
    with django_assert_max_num_queries(8):
        assert client.get(review_url(assignment)).status_code == 200


# --- removing a file --------------------------------------------------------------------


def remove_url(item):
    return reverse("journeys:submission_file_remove", args=[item.pk])


def test_the_author_removes_a_file_before_approval(
    client, cohort, assignment, participant, media, django_capture_on_commit_callbacks
):
    submission = submission_hand_in(
        assignment=assignment, user=participant, text="", files=[pdf("a.pdf"), pdf("b.pdf")]
    )
    item = submission.files.get(name="a.pdf")
    path = media / item.file.name
    assert path.exists()
    client.force_login(participant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(item))
    assert response.status_code == 302 and response["Location"] == page_url(assignment)
    assert list(submission.files.values_list("name", flat=True)) == ["b.pdf"]
    assert not path.exists()


@pytest.mark.parametrize("who", ["animateur", "admin", "outsider", "intervenant"])
def test_only_the_author_removes_a_file(request, client, cohort, assignment, participant, who):
    submission = submission_hand_in(assignment=assignment, user=participant, text="", files=[pdf()])
    client.force_login(request.getfixturevalue(who))
    assert client.post(remove_url(submission.files.get())).status_code == 404
    assert submission.files.count() == 1


def test_an_approved_work_keeps_its_files(client, cohort, assignment, participant):
    submission = submission_hand_in(assignment=assignment, user=participant, text="", files=[pdf()])
    submission_review(submission=submission, feedback="", status=SubmissionStatus.VALIDE)
    client.force_login(participant)
    response = client.post(remove_url(submission.files.get()))
    assert response.status_code == 302
    assert submission.files.count() == 1


def test_removing_needs_a_post_and_a_sign_in(client, cohort, assignment, participant):
    submission = submission_hand_in(assignment=assignment, user=participant, text="", files=[pdf()])
    item = submission.files.get()
    assert client.post(remove_url(item)).status_code == 302  # to the login page
    client.force_login(participant)
    assert client.get(remove_url(item)).status_code == 405
    assert submission.files.count() == 1


# --- to rework, and who is told ---------------------------------------------------------


def _work_done(cohort, user):
    return next(p for p in cohort_progress(cohort).participants if p.member.user == user).work_done


def test_work_sent_back_to_rework_is_not_done_and_can_be_handed_in_again(
    client, cohort, assignment, participant, animateur, frozen
):
    assert assignment.due < frozen.date()
    submission = submission_hand_in(assignment=assignment, user=participant, text="v1")
    assert _work_done(cohort, participant) == 1
    client.force_login(animateur)
    response = client.post(
        reverse("journeys:submission_review", args=[submission.pk]),
        {f"s{submission.pk}-feedback": "Précisez les partenaires.",
         f"s{submission.pk}-status": SubmissionStatus.A_REPRENDRE},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.A_REPRENDRE
    assert _work_done(cohort, participant) == 0

    submission_hand_in(assignment=assignment, user=participant, text="v2")
    submission.refresh_from_db()
    assert (submission.status, submission.text) == (SubmissionStatus.RENDU, "v2")


def test_a_hand_in_tells_the_animateurs_and_a_review_tells_the_participant(
    cohort, assignment, participant, animateur, intervenant
):
    submission = submission_hand_in(assignment=assignment, user=participant, text="Bilan")
    (told,) = Notification.objects.filter(kind=NotificationKind.WORK_HANDED_IN)
    assert told.recipient == animateur and assignment.title in told.title
    assert told.url == review_url(assignment)

    submission_review(submission=submission, feedback="Bravo", status=SubmissionStatus.VALIDE,
                      reviewer=animateur)
    (reviewed,) = Notification.objects.filter(kind=NotificationKind.WORK_REVIEWED)
    assert reviewed.recipient == participant and reviewed.url == page_url(assignment)
    assert not Notification.objects.filter(recipient=intervenant).exists()
