"""The animateur's pages: who may, bad input (French messages, nothing saved), query counts."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from alliances.journeys.models import (
    Assignment,
    Cohort,
    CohortMember,
    CohortPhase,
    CohortRole,
    CohortVisibility,
    PilotTerritory,
    Session,
)
from alliances.journeys.services import paris_datetime, session_create

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")

PEOPLE = [
    "anonymous",
    "outsider",
    "other_participant",
    "participant",
    "intervenant",
    "animateur",
    "admin",
]
# A private cohort is not found by those outside it; its members who do not animate it are
# forbidden; its animateur and the platform admins may.
EXPECTED = {
    "anonymous": 302,
    "outsider": 404,
    "other_participant": 404,
    "participant": 403,
    "intervenant": 403,
    "animateur": 200,
    "admin": 200,
}


def _as(client, request, who):
    request.getfixturevalue("other_cohort")
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))


def _urls(cohort):
    session = cohort.sessions.order_by("start").first()
    return {
        "settings": reverse("journeys:cohort_settings", args=[cohort.slug]),
        "teams": reverse("journeys:cohort_teams", args=[cohort.slug]),
        "session_create": reverse("journeys:session_create", args=[cohort.slug]),
        "session_update": reverse("journeys:session_update", args=[session.pk]),
        "session_delete": reverse("journeys:session_delete", args=[session.pk]),
    }


@pytest.mark.parametrize(
    "page", ["settings", "teams", "session_create", "session_update", "session_delete"]
)
@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_open_the_animateur_pages(client, request, cohort, page, who):
    _as(client, request, who)
    response = client.get(_urls(cohort)[page])
    assert response.status_code == EXPECTED[who]


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_post_to_the_animateur_pages(client, request, cohort, who):
    _as(client, request, who)
    session = cohort.sessions.order_by("start").first()
    response = client.post(reverse("journeys:session_delete", args=[session.pk]))
    expected = 302 if who in {"animateur", "admin", "anonymous"} else EXPECTED[who]
    assert response.status_code == expected
    assert Session.objects.filter(pk=session.pk).exists() == (who not in {"animateur", "admin"})


def test_public_cohort_outsiders_are_forbidden_not_hidden(client, public_cohort, outsider):
    client.force_login(outsider)
    url = reverse("journeys:cohort_settings", args=[public_cohort.slug])
    assert client.get(url).status_code == 403


# --- creating a cohort --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 403),
        ("participant", 403),
        ("analyste", 403),
        ("animateur", 200),
        ("admin", 200),
    ],
)
def test_who_may_create_a_cohort(client, request, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("journeys:cohort_create")).status_code == status


def test_create_a_cohort_makes_the_creator_its_animateur(client, programme, animateur):
    client.force_login(animateur)
    response = client.post(
        reverse("journeys:cohort_create"),
        {
            "programme": programme.pk,
            "name": "Promotion 2028",
            "start": "2028-01-03",
            "status": "brouillon",
            "visibility": "private",
        },
    )
    cohort = Cohort.objects.get(name="Promotion 2028")
    assert response.status_code == 302
    assert response["Location"] == reverse("journeys:console", args=[cohort.slug])
    assert cohort.visibility == CohortVisibility.PRIVATE
    assert cohort.start == datetime.date(2028, 1, 3)
    assert cohort.sessions.exists() and cohort.phases.exists()
    assert CohortMember.objects.get(cohort=cohort, user=animateur).role == CohortRole.ANIMATEUR


def test_create_a_cohort_bad_input(client, programme, animateur):
    client.force_login(animateur)
    response = client.post(
        reverse("journeys:cohort_create"),
        {
            "programme": programme.pk,
            "name": "",
            "start": "03/13/2028",
            "status": "brouillon",
            "visibility": "private",
        },
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.text
    assert "Saisissez une date valide." in response.text
    assert not Cohort.objects.exists()


def test_create_page_query_count(client, animateur, django_assert_max_num_queries):
    client.force_login(animateur)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("journeys:cohort_create")).status_code == 200


# --- settings and dates -----------------------------------------------------------------


def _settings_data(cohort, **changes):
    data = {
        "action": "save",
        "name": cohort.name,
        "status": cohort.status,
        "visibility": cohort.visibility,
        "end": cohort.end.isoformat(),
    }
    for phase in cohort.phases.all():
        data[f"phase-{phase.pk}-start"] = phase.start.isoformat()
        data[f"phase-{phase.pk}-end"] = phase.end.isoformat()
    for assignment in cohort.assignments.all():
        data[f"assignment-{assignment.pk}-due"] = assignment.due.isoformat()
    data.update(changes)
    return data


def test_settings_move_a_phase_and_a_due_date(client, cohort, animateur):
    client.force_login(animateur)
    first, second = list(cohort.phases.all())[:2]
    assignment = cohort.assignments.order_by("due").first()
    new_end = first.end - datetime.timedelta(days=3)
    new_due = assignment.due + datetime.timedelta(days=2)
    response = client.post(
        reverse("journeys:cohort_settings", args=[cohort.slug]),
        _settings_data(
            cohort,
            name="Promotion renommée",
            **{
                f"phase-{first.pk}-end": new_end.isoformat(),
                f"assignment-{assignment.pk}-due": new_due.isoformat(),
            },
        ),
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.name == "Promotion renommée"
    assert CohortPhase.objects.get(pk=first.pk).end == new_end
    assert Assignment.objects.get(pk=assignment.pk).due == new_due


@pytest.mark.parametrize(
    "case",
    [
        "phase_before_cohort",
        "phase_end_before_start",
        "phases_overlap",
        "due_after_cohort",
        "cohort_end_before_start",
        "end_before_a_session",
    ],
)
def test_settings_bad_dates_save_nothing(client, cohort, animateur, case):
    client.force_login(animateur)
    first, second = list(cohort.phases.all())[:2]
    assignment = cohort.assignments.order_by("due").last()
    day = datetime.timedelta(days=1)
    last_session = cohort.sessions.order_by("-start").first()
    changes, where = {
        "phase_before_cohort": (
            {f"phase-{first.pk}-start": (cohort.start - day).isoformat()},
            (f"phase-{first.pk}", "start"),
        ),
        "phase_end_before_start": (
            {f"phase-{first.pk}-end": (first.start - day).isoformat()},
            (f"phase-{first.pk}", "end"),
        ),
        "phases_overlap": (
            {f"phase-{second.pk}-start": first.end.isoformat()},
            (f"phase-{second.pk}", "start"),
        ),
        "due_after_cohort": (
            {f"assignment-{assignment.pk}-due": (cohort.end + day).isoformat()},
            (f"assignment-{assignment.pk}", "due"),
        ),
        "cohort_end_before_start": ({"end": (cohort.start - day).isoformat()}, (None, "end")),
        "end_before_a_session": (
            {"end": (last_session.start.date() - day).isoformat()},
            (None, "end"),
        ),
    }[case]
    before = (
        list(CohortPhase.objects.filter(cohort=cohort).values_list("start", "end")),
        list(Assignment.objects.filter(cohort=cohort).values_list("due", flat=True)),
        Cohort.objects.get(pk=cohort.pk).end,
    )
    response = client.post(
        reverse("journeys:cohort_settings", args=[cohort.slug]),
        _settings_data(cohort, name="Ne doit pas changer", **changes),
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.text
    forms = {None: response.context["form"]}
    forms.update({f.prefix: f for _p, f in response.context["phase_forms"]})
    forms.update({f.prefix: f for _a, f in response.context["due_forms"]})
    prefix, field = where
    assert forms[prefix].errors[field]
    assert Cohort.objects.get(pk=cohort.pk).name == cohort.name
    after = (
        list(CohortPhase.objects.filter(cohort=cohort).values_list("start", "end")),
        list(Assignment.objects.filter(cohort=cohort).values_list("due", flat=True)),
        Cohort.objects.get(pk=cohort.pk).end,
    )
    assert after == before


def test_settings_shift_the_calendar(client, cohort, animateur):
    client.force_login(animateur)
    start = cohort.start
    response = client.post(
        reverse("journeys:cohort_settings", args=[cohort.slug]),
        {"action": "shift", "shift-days": "7"},
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.start == start + datetime.timedelta(days=7)


def test_settings_shift_zero_is_refused(client, cohort, animateur):
    client.force_login(animateur)
    start = cohort.start
    response = client.post(
        reverse("journeys:cohort_settings", args=[cohort.slug]),
        {"action": "shift", "shift-days": "0"},
    )
    assert response.status_code == 200
    assert Cohort.objects.get(pk=cohort.pk).start == start


def test_settings_page_query_count(client, cohort, animateur, django_assert_max_num_queries):
    client.force_login(animateur)
    url = reverse("journeys:cohort_settings", args=[cohort.slug])
    # Sign-in session, user, cohort, view and manage rules, phases, assignments, the
    # header's notifications count: whatever the number of phases and pieces of work.
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


# --- teams --------------------------------------------------------------------------------


def test_teams_add_a_territory(client, cohort, animateur):
    client.force_login(animateur)
    response = client.post(
        reverse("journeys:cohort_teams", args=[cohort.slug]),
        {
            "action": "territory",
            "name": "Créteil",
            "commune": "",
            "departement": "94",
            "organisation": "",
        },
    )
    assert response.status_code == 302
    territory = PilotTerritory.objects.get(cohort=cohort, name="Créteil")
    assert territory.departement_id == "94"


def test_teams_add_a_territory_bad_codes(client, cohort, animateur):
    client.force_login(animateur)
    response = client.post(
        reverse("journeys:cohort_teams", args=[cohort.slug]),
        {
            "action": "territory",
            "name": "Nulle part",
            "commune": "00000",
            "departement": "XX",
            "organisation": "123",
        },
    )
    assert response.status_code == 200
    form = response.context["territory_form"]
    assert set(form.errors) == {"commune", "departement", "organisation"}
    assert not PilotTerritory.objects.filter(name="Nulle part").exists()


def test_teams_change_role_and_territory(client, cohort, animateur, participant):
    client.force_login(animateur)
    member = CohortMember.objects.get(cohort=cohort, user=participant)
    territory = PilotTerritory.objects.create(cohort=cohort, name="Autre équipe")
    response = client.post(
        reverse("journeys:cohort_teams", args=[cohort.slug]),
        {
            "action": "member",
            "member": member.pk,
            f"member-{member.pk}-role": "observateur",
            f"member-{member.pk}-pilot_territory": territory.pk,
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == CohortRole.OBSERVATEUR
    assert member.pilot_territory == territory


def test_teams_never_remove_or_demote_the_last_animateur(client, cohort, animateur):
    client.force_login(animateur)
    member = CohortMember.objects.get(cohort=cohort, user=animateur)
    url = reverse("journeys:cohort_teams", args=[cohort.slug])
    response = client.post(url, {"action": "remove", "member": member.pk})
    assert response.status_code == 200
    assert response.context["rows"][0]["error"]
    assert CohortMember.objects.filter(pk=member.pk).exists()
    response = client.post(
        url,
        {
            "action": "member",
            "member": member.pk,
            f"member-{member.pk}-role": "participant",
            f"member-{member.pk}-pilot_territory": "",
        },
    )
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["member"].pk == member.pk)
    assert row["form"].errors["role"]
    assert CohortMember.objects.get(pk=member.pk).role == CohortRole.ANIMATEUR


def test_teams_remove_a_member(client, cohort, animateur, participant):
    client.force_login(animateur)
    member = CohortMember.objects.get(cohort=cohort, user=participant)
    response = client.post(
        reverse("journeys:cohort_teams", args=[cohort.slug]),
        {"action": "remove", "member": member.pk},
    )
    assert response.status_code == 302
    assert not CohortMember.objects.filter(pk=member.pk).exists()


def test_teams_page_query_count(client, cohort, animateur, django_assert_max_num_queries, password):
    from alliances.accounts.services import user_create
    from alliances.journeys.services import cohort_member_add, pilot_territory_add

    for n in range(8):
        territory = pilot_territory_add(cohort=cohort, name=f"Territoire {n}")
        person = user_create(email=f"p{n}@example.org", password=password)
        cohort_member_add(
            cohort=cohort, user=person, role=CohortRole.PARTICIPANT, pilot_territory=territory
        )
    client.force_login(animateur)
    url = reverse("journeys:cohort_teams", args=[cohort.slug])
    # Sign-in session, user, cohort, two rules, territories, members, notifications count.
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


# --- sessions -----------------------------------------------------------------------------


def _session_data(cohort, **changes):
    day = cohort.start + datetime.timedelta(days=20)
    data = {
        "kind": "apport_theorique",
        "title": "Atelier cartographie",
        "phase": "",
        "mode": "presentiel",
        "place": "Maison des associations",
        "link": "",
        "start": f"{day.isoformat()}T14:00",
        "end": f"{day.isoformat()}T16:30",
        "agenda": "- accueil\n- atelier",
        "capacity": "12",
        "speakers_text": "Zoé Témoin",
        "replay_url": "",
    }
    data.update(changes)
    return data


def test_create_a_session_in_paris_time(client, cohort, animateur, intervenant):
    client.force_login(animateur)
    response = client.post(
        reverse("journeys:session_create", args=[cohort.slug]),
        {**_session_data(cohort), "speakers": [intervenant.pk]},
    )
    assert response.status_code == 302
    session = Session.objects.get(title="Atelier cartographie")
    day = cohort.start + datetime.timedelta(days=20)
    assert session.start == paris_datetime(day, datetime.time(14))
    assert session.end == paris_datetime(day, datetime.time(16, 30))
    assert list(session.speakers.all()) == [intervenant]
    assert session.capacity == 12


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end": "BEFORE"}, "end", "La fin doit venir après le début."),
        ({"start": "OUTSIDE"}, "start", "dans la promotion"),
        ({"start": "not a date"}, "start", "Saisissez une date et une heure valides."),
        ({"place": "CLASH"}, "place", "a déjà lieu à cet endroit"),
    ],
)
def test_create_a_session_bad_input(client, cohort, animateur, changes, field, message):
    client.force_login(animateur)
    data = _session_data(cohort)
    day = cohort.start + datetime.timedelta(days=20)
    if changes.get("end") == "BEFORE":
        changes = {"end": f"{day.isoformat()}T13:00"}
    if changes.get("start") == "OUTSIDE":
        changes = {"start": f"{(cohort.start - datetime.timedelta(days=1)).isoformat()}T10:00"}
    if changes.get("place") == "CLASH":
        session_create(
            cohort=cohort,
            kind="apport_theorique",
            title="Déjà là",
            place="Salle A",
            start=paris_datetime(day, datetime.time(15)),
            end=paris_datetime(day, datetime.time(17)),
        )
        changes = {"place": "salle a"}
    data.update(changes)
    count = Session.objects.count()
    response = client.post(reverse("journeys:session_create", args=[cohort.slug]), data)
    assert response.status_code == 200
    assert "field-invalid" in response.text
    form = response.context["form"]
    assert form.errors[field]
    assert Session.objects.count() == count


def test_update_a_session(client, cohort, animateur):
    client.force_login(animateur)
    session = cohort.sessions.order_by("start").first()
    day = timezone_day = session.start.date()
    del timezone_day
    response = client.post(
        reverse("journeys:session_update", args=[session.pk]),
        _session_data(
            cohort,
            title="Titre changé",
            start=f"{day}T09:00",
            end=f"{day}T12:00",
            kind=session.kind_id,
            place="",
        ),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Titre changé"


def test_update_a_session_bad_input_saves_nothing(client, cohort, animateur):
    client.force_login(animateur)
    session = cohort.sessions.order_by("start").first()
    title = session.title
    outside = cohort.end + datetime.timedelta(days=5)
    response = client.post(
        reverse("journeys:session_update", args=[session.pk]),
        _session_data(
            cohort, title="Ne doit pas changer", kind=session.kind_id, end=f"{outside}T12:00"
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end"]
    assert Session.objects.get(pk=session.pk).title == title


def test_delete_a_session(client, cohort, animateur):
    client.force_login(animateur)
    session = cohort.sessions.order_by("start").first()
    url = reverse("journeys:session_delete", args=[session.pk])
    assert client.get(url).status_code == 200
    assert Session.objects.filter(pk=session.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()


def test_session_pages_query_counts(client, cohort, animateur, django_assert_max_num_queries):
    client.force_login(animateur)
    urls = _urls(cohort)
    # Sign-in session, user, session or cohort, view and manage rules, the form's choices
    # (kinds, phases, speakers), the header's notifications count; on the edit page the
    # session's speakers and its materials too.
    for page, most in (("session_create", 9), ("session_update", 11), ("session_delete", 7)):
        with django_assert_max_num_queries(most):
            assert client.get(urls[page]).status_code == 200


def test_a_time_skipped_by_the_summer_time_change_is_refused(client, cohort, animateur):
    client.force_login(animateur)
    count = Session.objects.count()
    # 28 March 2027: in Paris the clocks go from 02:00 to 03:00.
    response = client.post(
        reverse("journeys:session_create", args=[cohort.slug]),
        _session_data(cohort, start="2027-03-28T02:30", end="2027-03-28T04:00"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["start"]
    assert Session.objects.count() == count


def test_the_edit_form_shows_paris_wall_clock_times(client, cohort, animateur):
    client.force_login(animateur)
    session = cohort.sessions.order_by("start").first()
    local = session.start.astimezone(PARIS)
    text = client.get(reverse("journeys:session_update", args=[session.pk])).text
    assert f'value="{local:%Y-%m-%dT%H:%M}"' in text
