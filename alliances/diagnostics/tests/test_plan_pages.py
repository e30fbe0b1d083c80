"""The plan's pages: entry points, a bilan filled per criterion (htmx and plain POST), the
conflict shown in place, history, validation, the cible and the trajectoire."""

import datetime

import pytest
from django.urls import reverse

from alliances.actors.models import Organisation
from alliances.diagnostics import services
from alliances.diagnostics.models import (
    Action,
    ActionStatus,
    Bilan,
    BilanMoment,
    BilanStatus,
    Entry,
    EntryChange,
    Grid,
    Horizon,
    Milestone,
    Plan,
)
from alliances.diagnostics.selectors import target_levels
from alliances.diagnostics.testing import make_grid
from alliances.journeys.tests.conftest import frozen, later  # noqa: F401 (fixtures)

from .test_services import TODAY, codev_item, organisation

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def bilan(plan, participant) -> Bilan:
    return services.bilan_create(plan=plan, moment=BilanMoment.T0, date=TODAY, user=participant)


def first_entry(bilan) -> Entry:
    return bilan.entries.select_related("criterion").order_by("pk").first()


def test_cohort_space_links_to_the_team_plan_made_on_first_post(
    client, cohort, participant, grid_version
):
    Grid.objects.update(is_default=False)
    Grid.objects.filter(pk=grid_version.grid_id).update(is_default=True)
    client.force_login(participant)
    page = client.get(reverse("journeys:cohort", args=[cohort.slug])).content.decode()
    url = reverse("diagnostics:team_plan", args=[cohort.slug])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and not Plan.objects.exists()
    response = client.post(url)
    plan = Plan.objects.get()
    assert response.url == reverse("diagnostics:plan", args=[plan.pk])
    assert plan.pilot_territory.name == "Val-de-Marne"
    assert client.get(url).url == response.url
    mine = client.get(reverse("diagnostics:my_plans")).content.decode()
    assert reverse("diagnostics:plan", args=[plan.pk]) in mine


def test_my_plans_offers_to_start_and_a_personal_plan(client, participant, cohort, grid_version):
    client.force_login(participant)
    page = client.get(reverse("diagnostics:my_plans")).content.decode()
    assert reverse("diagnostics:team_plan", args=[cohort.slug]) in page
    response = client.post(reverse("diagnostics:personal_create"))
    plan = Plan.objects.get(owner=participant)
    assert response.url == reverse("diagnostics:plan", args=[plan.pk])
    assert client.get(response.url).status_code == 200


def test_plan_page_lists_bilans_levels_cible_and_trajectoire(
    client, plan, bilan, participant, grid_version, django_assert_max_num_queries
):
    entry = first_entry(bilan)
    services.entry_save(
        entry=entry, user=participant, level=3, evidence="", organisation_ids=[], revision=0
    )
    services.target_set(
        plan=plan, horizon=Horizon.M36, levels={entry.criterion.code: 4}, user=participant
    )
    services.action_create(
        plan=plan,
        data=services.ActionInput(
            title="Réunir le comité", start=TODAY, due=TODAY + datetime.timedelta(days=9)
        ),
    )
    for moment in (BilanMoment.END, BilanMoment.M36):  # more bilans: no more queries
        services.bilan_create(plan=plan, moment=moment, date=TODAY, user=participant)
    client.force_login(participant)
    url = reverse("diagnostics:plan", args=[plan.pk])
    client.get(url)
    with django_assert_max_num_queries(24):
        response = client.get(url)
    page = response.content.decode()
    assert "T0 (début du parcours)" in page and "1 / 9" in page and "0 / 9" in page
    assert "Réunir le comité" in page
    assert reverse("diagnostics:bilan", args=[bilan.pk]) in page
    assert reverse("diagnostics:trajectoire", args=[plan.pk]) in page
    assert 'name="visibility"' in page


def test_starting_a_bilan_from_the_plan_page(client, plan, participant):
    client.force_login(participant)
    response = client.post(
        reverse("diagnostics:bilan_new", args=[plan.pk]),
        {"moment": BilanMoment.END, "date": "2027-09-30"},
    )
    bilan = Bilan.objects.get()
    assert response.url == reverse("diagnostics:bilan", args=[bilan.pk])
    assert bilan.moment == BilanMoment.END and bilan.entries.count() == 9
    client.post(reverse("diagnostics:bilan_new", args=[plan.pk]), {"moment": "t0", "date": "x"})
    assert Bilan.objects.count() == 1


def test_bilan_page_shows_the_four_levels_as_radios(
    client, bilan, participant, django_assert_max_num_queries
):
    client.force_login(participant)
    url = reverse("diagnostics:bilan", args=[bilan.pk])
    client.get(url)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    page = response.content.decode()
    entry = first_entry(bilan)
    for rank in range(1, 5):
        assert f'id="c{entry.criterion_id}-level-{rank}"' in page
    assert "Critère 1.1, niveau 3 : ce qui s&#x27;observe." in page
    assert page.count('type="radio" name="level"') == 9 * 5


def test_saving_a_criterion_under_htmx_and_the_conflict_in_place(
    client, bilan, participant, partner
):
    entry = first_entry(bilan)
    org = organisation()
    url = reverse("diagnostics:entry_save", args=[bilan.pk, entry.criterion_id])
    client.force_login(partner)
    response = client.post(
        url,
        {"level": "3", "evidence": "Un copil", "organisations": [org.pk], "revision": "0"},
        **HX,
    )
    assert response.status_code == 200
    assert 'role="status"' in response.content.decode()
    assert 'name="revision" value="1"' in response.content.decode()
    # The participant's form was loaded at revision 0 too.
    client.force_login(participant)
    response = client.post(
        url, {"level": "1", "evidence": "Rien", "organisations": [], "revision": "0"}, **HX
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in page
    assert "Bérénice Binôme a modifié ce critère" in page
    assert 'class="entry-their-level">3<' in page
    assert "Mairie de Créteil" in page  # their organisations
    # Their own answer stays in the form, on the new revision.
    assert f'id="c{entry.criterion_id}-level-1" checked' in page
    assert 'name="revision" value="1"' in page and ">Rien</textarea>" in page
    entry.refresh_from_db()
    assert (entry.level, entry.evidence, entry.updated_by) == (3, "Un copil", partner)


def test_saving_without_js_redirects_and_errors_re_render(client, bilan, participant):
    entry = first_entry(bilan)
    url = reverse("diagnostics:entry_save", args=[bilan.pk, entry.criterion_id])
    client.force_login(participant)
    response = client.post(url, {"level": "2", "evidence": "", "revision": "0"})
    assert response.status_code == 302
    assert response.url.endswith(f"#criterion-{entry.criterion_id}")
    response = client.post(url, {"level": "5", "evidence": "", "revision": "1"})
    assert response.status_code == 200
    assert "Le niveau 5 n’existe pas dans cette grille" in response.content.decode()
    entry.refresh_from_db()
    assert entry.level == 2 and entry.revision == 1


def test_history_and_validation(client, bilan, participant, animateur):
    client.force_login(participant)
    for entry in bilan.entries.order_by("pk"):
        client.post(
            reverse("diagnostics:entry_save", args=[bilan.pk, entry.criterion_id]),
            {"level": "2", "evidence": "", "revision": "0"},
        )
    assert EntryChange.objects.filter(entry__bilan=bilan).count() == 9
    page = client.get(reverse("diagnostics:bilan_history", args=[bilan.pk])).content.decode()
    assert page.count("<td>Paul Participant</td>") == 9
    client.force_login(animateur)
    client.post(reverse("diagnostics:bilan_validate", args=[bilan.pk]))
    bilan.refresh_from_db()
    assert bilan.status == BilanStatus.VALIDATED
    page = client.get(reverse("diagnostics:bilan", args=[bilan.pk])).content.decode()
    assert 'type="radio"' not in page


def test_validation_with_missing_levels_says_which(client, bilan, participant):
    client.force_login(participant)
    response = client.post(reverse("diagnostics:bilan_validate", args=[bilan.pk]), follow=True)
    assert "Critère 3.3" in response.content.decode()
    bilan.refresh_from_db()
    assert bilan.status == BilanStatus.DRAFT


def test_cible_form(client, plan, participant, grid_version):
    codes = list(grid_version.criteria.order_by("pk").values_list("code", flat=True))
    client.force_login(participant)
    url = reverse("diagnostics:cible", args=[plan.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"horizon": Horizon.M36, codes[0]: "3", codes[1]: "4"})
    assert response.status_code == 302
    assert target_levels(plan, Horizon.M36) == {codes[0]: 3, codes[1]: 4}
    response = client.post(url, {"horizon": Horizon.M36, codes[0]: "5", codes[1]: ""})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert target_levels(plan, Horizon.M36) == {codes[0]: 3, codes[1]: 4}


def test_trajectoire_actions_and_milestones(client, plan, participant, partner, grid_version):
    client.force_login(participant)
    url = reverse("diagnostics:trajectoire", args=[plan.pk])
    assert client.get(url).status_code == 200
    org = organisation()
    criterion = grid_version.criteria.first()
    response = client.post(
        url,
        {
            "action-title": "Cartographier",
            "action-description": "Les acteurs du quartier",
            "action-owner": str(partner.pk),
            "action-partners": [str(org.pk)],
            "action-start": "2027-02-01",
            "action-due": "2027-04-01",
            "action-status": ActionStatus.TODO,
            "action-criteria": [str(criterion.pk)],
        },
    )
    action = Action.objects.get()
    assert response.status_code == 302
    assert action.owner == partner and list(action.partners.all()) == [org]
    # Bad input: due before start, an owner outside the team; located, nothing saved.
    response = client.post(
        url,
        {
            "action-title": "Autre",
            "action-owner": "999999",
            "action-start": "2027-02-01",
            "action-due": "2027-01-01",
            "action-status": ActionStatus.TODO,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "L’échéance ne peut pas précéder le début." in page
    assert Action.objects.count() == 1
    edit = reverse("diagnostics:action_edit", args=[action.pk])
    assert client.get(edit).status_code == 200
    client.post(
        edit,
        {
            "action-title": "Cartographier",
            "action-start": "2027-02-01",
            "action-due": "2027-04-01",
            "action-status": ActionStatus.DONE,
            "action-revision": "0",
        },
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    client.post(
        reverse("diagnostics:milestone_new", args=[plan.pk]),
        {"milestone-title": "Copil", "milestone-date": "2027-03-01"},
    )
    milestone = Milestone.objects.get()
    client.post(
        reverse("diagnostics:milestone_edit", args=[milestone.pk]),
        {
            f"milestone-{milestone.pk}-title": "Copil",
            f"milestone-{milestone.pk}-date": "2027-03-01",
            f"milestone-{milestone.pk}-done": "on",
        },
    )
    milestone.refresh_from_db()
    assert milestone.done
    client.post(reverse("diagnostics:milestone_edit", args=[milestone.pk]), {"delete": "1"})
    client.post(reverse("diagnostics:action_delete", args=[action.pk]))
    assert not Action.objects.exists() and not Milestone.objects.exists()


@pytest.mark.usefixtures("frozen")
def test_joining_a_codev_action_in_one_click(client, plan, cohort, participant, partner, animateur):
    item = codev_item(cohort, client=participant, animateur=animateur)
    client.force_login(participant)
    page = client.get(reverse("diagnostics:trajectoire", args=[plan.pk])).content.decode()
    join = reverse("diagnostics:codev_join", args=[plan.pk, item.pk])
    assert join in page
    client.post(join)
    assert Action.objects.get().codev_item == item
    client.post(join)
    assert Action.objects.count() == 1
    # The partner sees it, joined, without a button.
    client.force_login(partner)
    page = client.get(reverse("diagnostics:trajectoire", args=[plan.pk])).content.decode()
    assert item.title in page and join not in page


@pytest.mark.usefixtures("frozen")
def test_joining_from_my_action_plans(client, cohort, participant, animateur, grid_version):
    Grid.objects.update(is_default=False)
    Grid.objects.filter(pk=grid_version.grid_id).update(is_default=True)
    item = codev_item(cohort, client=participant, animateur=animateur)
    client.force_login(participant)
    page = client.get(reverse("codev:my_plans")).content.decode()
    url = reverse("diagnostics:codev_join_mine", args=[item.pk])
    assert url in page
    response = client.post(url)
    action = Action.objects.get()
    assert action.plan.pilot_territory.name == "Val-de-Marne"
    assert response.url.startswith(reverse("diagnostics:trajectoire", args=[action.plan_id]))
    assert client.post(url).url == response.url  # again: the same action, shown
    assert Action.objects.count() == 1
    # Once joined, "my action plans" links to it instead of offering to add it again.
    page = client.get(reverse("codev:my_plans")).content.decode()
    assert url not in page
    assert f"{response.url.split('#')[0]}#action-{action.pk}" in page
    assert "est dans ma trajectoire" in page
    client.force_login(animateur)  # not their action: not found
    assert client.post(url).status_code == 404


def test_organisation_search(client, participant):
    organisation("Mairie de Créteil")
    organisation("Centre social Kennedy")
    client.force_login(participant)
    page = client.get(
        reverse("diagnostics:organisation_search"), {"q": "creteil", "prefix": "c1"}
    ).content.decode()
    assert "Mairie de Créteil" in page and "Kennedy" not in page
    assert 'name="organisations"' in page
    Organisation.objects.create(name="Créteil discret", type="association", is_public=False)
    page = client.get(reverse("diagnostics:organisation_search"), {"q": "creteil"}).content
    assert "discret" not in page.decode()


def test_a_bilan_keeps_its_version_when_the_grid_moves_on(client, bilan, participant, plan):
    make_grid(grid=plan.grid, axes=1, criteria=1)
    client.force_login(participant)
    page = client.get(reverse("diagnostics:bilan", args=[bilan.pk])).content.decode()
    assert page.count('type="radio" name="level"') == 9 * 5


@pytest.mark.usefixtures("frozen")
def test_trajectoire_page_queries_do_not_grow_with_actions(
    client, plan, cohort, participant, animateur, grid_version, django_assert_max_num_queries
):
    codev_item(cohort, client=participant, animateur=animateur)
    org = organisation()
    criterion = grid_version.criteria.first()
    for n in range(12):
        services.action_create(
            plan=plan,
            data=services.ActionInput(
                title=f"Action {n}",
                start=TODAY,
                due=TODAY + datetime.timedelta(days=n),
                owner_id=participant.pk,
                partner_ids=(org.pk,),
                criterion_ids=(criterion.pk,),
            ),
        )
        services.milestone_create(plan=plan, title=f"Jalon {n}", date=TODAY)
    client.force_login(participant)
    url = reverse("diagnostics:trajectoire", args=[plan.pk])
    client.get(url)
    # 18 for the page, 4 for its roadmap picture (plan_roadmap).
    with django_assert_max_num_queries(22):
        page = client.get(url).content.decode()
    assert "dg-roadmap" in page
    assert page.count('class="plan-action ') == 12 and "Réunir les entreprises" in page
