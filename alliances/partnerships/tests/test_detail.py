"""An alliance's page: its facts, partners and the 36-month follow-up (checkpoints,
timeline, indicator series), and the follow-up forms with htmx and without JavaScript."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils.html import escape
from django.utils.translation import gettext as _

from alliances.partnerships.models import Alliance, FollowUpNote, IndicatorValue
from alliances.partnerships.selectors import add_months, checkpoints, timeline
from alliances.partnerships.services import followup_note_add, indicator_record

from .alliance_fixtures import *  # noqa: F403
from .alliance_fixtures import START, make_alliance, prefixed

pytestmark = pytest.mark.django_db


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2024, 1, 15), 36) == datetime.date(2027, 1, 15)
    assert add_months(datetime.date(2024, 3, 15), -3) == datetime.date(2023, 12, 15)


def test_checkpoints_done_due_overdue_upcoming(public_alliance, participant):
    # Start 15/01/2024: M6 15/07/2024, M12 15/01/2025, M24 15/01/2026, M36 15/01/2027.
    followup_note_add(alliance=public_alliance, date=datetime.date(2024, 6, 1), text="M6",
                      author=participant)
    notes = list(public_alliance.notes.all())
    states = {c.label: c.state for c in checkpoints(public_alliance, notes,
                                                    datetime.date(2026, 2, 1))}
    assert states == {"M6": "done", "M12": "overdue", "M24": "due", "M36": "upcoming"}
    # A note outside the ±2-month window does not count.
    followup_note_add(alliance=public_alliance, date=datetime.date(2025, 4, 1), text="tard",
                      author=participant)
    notes = list(public_alliance.notes.all())
    states = {c.label: c.state for c in checkpoints(public_alliance, notes,
                                                    datetime.date(2026, 2, 1))}
    assert states["M12"] == "overdue"


def test_timeline_orders_every_event(public_alliance, participant):
    public_alliance.end_date = datetime.date(2026, 6, 30)
    public_alliance.save()
    followup_note_add(alliance=public_alliance, date=datetime.date(2024, 7, 1), text="Bilan",
                      author=participant)
    indicator_record(alliance=public_alliance, kind="personnes_touchees",
                     date=datetime.date(2024, 9, 1), value=Decimal("120"))
    events = timeline(Alliance.objects.get(pk=public_alliance.pk), datetime.date(2025, 1, 1))
    kinds = [e.kind for e in events]
    assert kinds[0] == "start" and kinds[-2:] == ["end", "checkpoint"]
    assert [e.date for e in events] == sorted(e.date for e in events)
    assert kinds.count("checkpoint") == 4
    assert "note" in kinds and "indicator" in kinds


@time_machine.travel(datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_the_page_shows_facts_partners_and_follow_up(client, public_alliance, organisation,
                                                     company, participant):
    indicator_record(alliance=public_alliance, kind="personnes_touchees",
                     date=datetime.date(2024, 6, 1), value=Decimal("40"))
    indicator_record(alliance=public_alliance, kind="personnes_touchees",
                     date=datetime.date(2024, 12, 1), value=Decimal("95.5"))
    indicator_record(alliance=public_alliance, kind="autre", label="Ateliers tenus",
                     date=datetime.date(2024, 12, 1), value=Decimal("12"))
    html = client.get(public_alliance.get_absolute_url()).content.decode()
    assert organisation.get_absolute_url() in html and company.get_absolute_url() in html
    assert "5\u202f000\u00a0€" in html
    assert "<strong>salariés</strong>" in html  # Markdown rendered
    assert 'class="indicator-chart"' in html
    assert "95,5" in html and "Ateliers tenus" in html
    assert 'class="checkpoint checkpoint-overdue"' in html  # M6 and M12 passed, no note
    assert "M36" in html


def test_a_note_without_javascript_redirects_to_the_follow_up(client, participant,
                                                              public_alliance):
    client.force_login(participant)
    url = f"/alliances/{public_alliance.pk}/suivi/note/"
    response = client.post(url, prefixed("note", {"date": "2024-07-10",
                                               "text": "Comité de pilotage tenu."}))
    assert response.status_code == 302
    assert response["Location"].endswith("#suivi")
    note = FollowUpNote.objects.get()
    assert note.author == participant and note.date == datetime.date(2024, 7, 10)


def test_a_note_with_htmx_answers_the_fragment(client, participant, public_alliance):
    client.force_login(participant)
    url = f"/alliances/{public_alliance.pk}/suivi/note/"
    response = client.post(url, prefixed("note", {"date": "2024-07-10", "text": "Comité tenu."}),
                           headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="suivi"')
    assert "Comité tenu." in html and "<html" not in html
    assert escape(_("The follow-up note was added.")) in html


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"date": "", "text": "x"}, "date", "Ce champ est obligatoire."),
    ({"date": "2024-13-01", "text": "x"}, "date", "Saisissez une date valide."),
    ({"date": "2024-07-01", "text": "   "}, "text", "Ce champ est obligatoire."),
    ({"date": "2024-07-01", "text": "x" * 5001}, "text", "au plus 5000 caractères"),
])
def test_a_bad_note_is_refused_on_its_field(client, participant, public_alliance, data, field,
                                            message):
    client.force_login(participant)
    url = f"/alliances/{public_alliance.pk}/suivi/note/"
    data = prefixed("note", data)
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(message) in html
    assert f'id="id_note-{field}_error"' in html
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert escape(message) in response.content.decode()
    assert not FollowUpNote.objects.exists()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"kind": "benevoles", "date": "2024-07-01", "value": "-3"}, "value",
     "An indicator cannot be negative."),
    ({"kind": "autre", "label": "", "date": "2024-07-01", "value": "3"}, "label",
     "Name the indicator “other”."),
    ({"kind": "licornes", "date": "2024-07-01", "value": "3"}, "kind",
     "Sélectionnez un choix valide"),
    ({"kind": "benevoles", "date": "hier", "value": "3"}, "date", "Saisissez une date valide."),
    ({"kind": "benevoles", "date": "2024-07-01", "value": "trois"}, "value",
     "Saisissez un nombre."),
    ({"kind": "benevoles", "date": "2024-07-01", "value": "1" * 15}, "value",
     "chiffres au total"),
    ({"kind": "autre", "label": "x" * 101, "date": "2024-07-01", "value": "3"}, "label",
     "au plus 100 caractères"),
])
def test_a_bad_measure_is_refused_on_its_field(client, participant, public_alliance, data,
                                               field, message):
    client.force_login(participant)
    url = f"/alliances/{public_alliance.pk}/suivi/indicateur/"
    response = client.post(url, prefixed("indicator", data), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert escape(_(message)) in html
    assert f'id="id_indicator-{field}_error"' in html
    assert not IndicatorValue.objects.exists()


def test_a_measure_is_recorded(client, participant, public_alliance):
    client.force_login(participant)
    url = f"/alliances/{public_alliance.pk}/suivi/indicateur/"
    response = client.post(url, prefixed("indicator", {
        "kind": "autre", "label": "Repas servis", "date": "2024-07-01", "value": "310"}))
    assert response.status_code == 302
    measure = IndicatorValue.objects.get()
    assert (measure.label, measure.value) == ("Repas servis", Decimal("310"))


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_user_text_is_escaped_or_sanitised(client, participant, organisation, company):
    alliance = make_alliance(organisation, company, title=f"Titre {XSS}",
                             description=f"Texte {XSS} [lien](javascript:alert(1))")
    followup_note_add(alliance=alliance, date=START, text=f"Note {XSS}", author=participant)
    indicator_record(alliance=alliance, kind="autre", label=f"Mesure {XSS}", date=START,
                     value=Decimal(1))
    indicator_record(alliance=alliance, kind="autre", label=f"Mesure {XSS}",
                     date=add_months(START, 3), value=Decimal(2))
    for url in (alliance.get_absolute_url(), "/alliances/", organisation.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", ""), url
        assert "javascript:alert" not in html, url
    html = client.get(alliance.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_private_linked_actions_are_not_shown_to_others(client, admin, public_alliance):
    from alliances.diagnostics.models import Action, Grid, Plan

    grid = Grid.objects.first()
    plan = Plan.objects.create(name="Plan secret", owner=admin, grid=grid)
    action = Action.objects.create(plan=plan, title="Action confidentielle", start=START,
                                   due=add_months(START, 6))
    public_alliance.actions.add(action)
    assert "Action confidentielle" not in client.get(
        public_alliance.get_absolute_url()).content.decode()
    client.force_login(admin)
    assert "Action confidentielle" in client.get(
        public_alliance.get_absolute_url()).content.decode()


def test_the_page_reads_in_a_fixed_number_of_queries(client, participant, public_alliance,
                                                     django_assert_max_num_queries):
    def grow(n: int) -> None:
        for i in range(n):
            day = add_months(START, i + 1)
            followup_note_add(alliance=public_alliance, date=day, text=f"Note {i}",
                              author=participant)
            indicator_record(alliance=public_alliance, kind="benevoles", date=day,
                             value=Decimal(i))

    grow(2)
    with django_assert_max_num_queries(12):
        assert client.get(public_alliance.get_absolute_url()).status_code == 200
    grow(20)
    client.force_login(participant)
    # + session, user, and the rules' membership checks (view, change).
    with django_assert_max_num_queries(16):
        html = client.get(public_alliance.get_absolute_url()).content.decode()
    assert "Note 19" in html
