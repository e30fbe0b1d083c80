import json

from alliances.accounts.gdpr import user_export
from alliances.accounts.services import user_delete
from alliances.journeys.models import Assignment, CalendarToken, CohortMember, Session
from alliances.journeys.services import calendar_token_get_or_create, submission_save


def test_the_data_export_holds_the_parcours(client, cohort, participant):
    assignment = Assignment.objects.filter(cohort=cohort).first()
    submission_save(assignment=assignment, user=participant, text="Notre bilan, mot à mot.",
                    submit=True)

    data = user_export(participant)
    journeys = data["journeys"]
    assert journeys["cohorts"][0]["cohort"] == cohort.name
    assert journeys["cohorts"][0]["role"] == "participant"
    assert journeys["submissions"][0]["text"] == "Notre bilan, mot à mot."
    json.dumps(data)  # serialisable as the download is


def test_an_outsider_export_has_no_parcours(cohort, outsider):
    journeys = user_export(outsider)["journeys"]
    assert journeys["cohorts"] == [] and journeys["submissions"] == []
    assert Session.objects.filter(cohort=cohort).exists()


def test_deleting_the_account_revokes_its_calendar_addresses(cohort, participant):
    personal = calendar_token_get_or_create(user=participant)
    of_cohort = calendar_token_get_or_create(user=participant, cohort=cohort)

    user_delete(user=participant)

    assert not CalendarToken.objects.active().filter(pk__in=[personal.pk, of_cohort.pk])
    assert CohortMember.objects.filter(cohort=cohort, user=participant).exists()  # history kept
