"""The feedback form of a session: who may, before/after the session, bad ratings, queries."""

from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages

from alliances.journeys.models import CohortVisibility, Feedback, Session

PARIS = ZoneInfo("Europe/Paris")


def feedback_url(session) -> str:
    return f"/parcours/seances/{session.pk}/avis/"




@pytest.fixture
def held(cohort, later) -> Session:
    return Session.objects.filter(cohort=cohort, end__lte=later).order_by("start", "pk").first()


@pytest.fixture
def to_come(cohort, later) -> Session:
    return Session.objects.filter(cohort=cohort, start__gt=later).order_by("start", "pk").first()


def test_the_form_shows_five_labelled_ratings_and_a_comment(client, participant, held, frozen):
    client.force_login(participant)
    response = client.get(feedback_url(held))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('type="radio" name="rating"') == 5
    for value in range(1, 6):
        assert f'<label for="rating-{value}">{value} — ' in html
    assert "<legend>" in html and "<fieldset" in html
    assert '<label for="feedback-comment">' in html
    assert "aria-invalid" not in html


def test_a_participant_gives_feedback_then_changes_it(client, cohort, participant, held, frozen):
    client.force_login(participant)
    response = client.post(feedback_url(held), {"rating": "4", "comment": "Très riche"})
    assert response.status_code == 302
    assert response["Location"] == f"/parcours/{cohort.slug}/#session-{held.pk}"
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    feedback = Feedback.objects.get(session=held, user=participant)
    assert (feedback.rating, feedback.comment) == (4, "Très riche")

    # The form is pre-filled with what was given.
    html = client.get(feedback_url(held)).content.decode()
    assert 'id="rating-4" required checked' in html
    assert ">Très riche</textarea>" in html

    response = client.post(feedback_url(held), {"rating": "2", "comment": ""})
    assert response.status_code == 302
    feedback = Feedback.objects.get(session=held, user=participant)
    assert (feedback.rating, feedback.comment) == (2, "")


def test_the_intervenant_may_give_feedback_too(client, intervenant, held, frozen):
    client.force_login(intervenant)
    assert client.post(feedback_url(held), {"rating": "5"}).status_code == 302
    assert Feedback.objects.get(session=held, user=intervenant).rating == 5


def test_before_the_session_a_notice_replaces_the_form(client, participant, to_come, frozen):
    client.force_login(participant)
    response = client.get(feedback_url(to_come))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="warning-box"' in html
    assert 'name="rating"' not in html


def test_before_the_session_a_post_is_an_error_and_nothing_is_saved(
    client, participant, to_come, frozen
):
    client.force_login(participant)
    response = client.post(feedback_url(to_come), {"rating": "5", "comment": "Trop tôt"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert response.context["errors"]
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("rating", ["0", "6", "abc", "", "3.5", None])
def test_a_bad_rating_is_a_located_error_and_nothing_is_saved(
    client, participant, held, frozen, rating
):
    client.force_login(participant)
    data = {"comment": "Gardé"} if rating is None else {"rating": rating, "comment": "Gardé"}
    response = client.post(feedback_url(held), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html
    assert 'aria-invalid="true" aria-describedby="rating-error"' in html
    assert 'id="rating-error"' in html
    assert ">Gardé</textarea>" in html  # what was typed is kept
    assert not Feedback.objects.exists()


def test_a_bad_rating_does_not_overwrite_earlier_feedback(client, participant, held, frozen):
    client.force_login(participant)
    client.post(feedback_url(held), {"rating": "3", "comment": "Bien"})
    client.post(feedback_url(held), {"rating": "9", "comment": "Changé"})
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.comment) == (3, "Bien")


@pytest.mark.parametrize("who", ["outsider", "other_participant"])
def test_a_private_cohort_is_not_found_by_those_outside_it(
    client, other_cohort, held, frozen, who, request
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(feedback_url(held)).status_code == 404
    assert client.post(feedback_url(held), {"rating": "5"}).status_code == 404
    assert not Feedback.objects.exists()


def test_an_outsider_on_a_public_cohort_sees_no_form_and_cannot_post(
    client, cohort, outsider, held, frozen
):
    cohort.visibility = CohortVisibility.PUBLIC
    cohort.save()
    client.force_login(outsider)
    response = client.get(feedback_url(held))
    assert response.status_code == 200
    assert 'name="rating"' not in response.content.decode()
    response = client.post(feedback_url(held), {"rating": "5"})
    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, held, frozen):
    for response in (
        client.get(feedback_url(held)),
        client.post(feedback_url(held), {"rating": "5"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/login/")
        assert "next=" in response["Location"]
    assert not Feedback.objects.exists()


def test_an_unknown_session_is_not_found(client, participant, frozen):
    client.force_login(participant)
    assert client.get("/parcours/seances/999999/avis/").status_code == 404


def test_the_form_reads_in_a_fixed_number_of_queries(
    client, participant, held, frozen, django_assert_max_num_queries
):
    client.force_login(participant)
    client.post(feedback_url(held), {"rating": "4", "comment": "Bien"})
    with django_assert_max_num_queries(10):
        response = client.get(feedback_url(held))
    assert response.status_code == 200
