"""The animateur's cohort view (/bilans/promotion/<slug>/): who may see it, what it shows,
the weakest axes on a known data set, the "no bilan yet" list, and its freshness.

Bilans are made straight with the models (as the pictures' tests do): this page reads them,
the plan part's services write them.
"""

import datetime
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliances.accounts.services import user_create
from alliances.diagnostics.cohort_selectors import (
    AxisInfo,
    axis_figures,
    cohort_comparison,
    summarise,
)
from alliances.diagnostics.cohort_views import _figure
from alliances.diagnostics.models import (
    Bilan,
    BilanMoment,
    BilanStatus,
    Criterion,
    Entry,
    Horizon,
    Target,
)
from alliances.diagnostics.testing import make_grid, make_plan
from alliances.journeys.models import CohortRole, CohortVisibility
from alliances.journeys.pagecache import cohort_pages_changed
from alliances.journeys.services import cohort_member_add, pilot_territory_add

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(cohort) -> str:
    return reverse("diagnostics:cohort", args=[cohort.slug])


def make_bilan(
    plan,
    levels: dict[str, int],
    *,
    day: int,
    status=BilanStatus.VALIDATED,
    moment=BilanMoment.T0,
    version=None,
) -> Bilan:
    """A bilan of `plan` on its grid's newest version with these levels by criterion code
    (criteria left out have no entry)."""
    version = version or plan.grid.versions.order_by("-number").first()
    bilan = Bilan.objects.create(
        plan=plan,
        grid_version=version,
        moment=moment,
        date=datetime.date(2027, 1, day),
        status=status,
        validated_at=timezone.now() if status == BilanStatus.VALIDATED else None,
    )
    criteria = dict(Criterion.objects.filter(version=version).values_list("code", "pk"))
    Entry.objects.bulk_create(
        Entry(bilan=bilan, criterion_id=criteria[code], level=level)
        for code, level in levels.items()
    )
    return bilan


def set_targets(plan, levels: dict[str, int], horizon=Horizon.M36) -> None:
    criteria = dict(Criterion.objects.filter(version__grid=plan.grid).values_list("code", "pk"))
    Target.objects.bulk_create(
        Target(plan=plan, criterion_id=criteria[code], horizon=horizon, level=level)
        for code, level in levels.items()
    )


def codes(axis: int, *levels: int) -> dict[str, int]:
    return {f"axe-{axis}-critere-{n}": level for n, level in enumerate(levels, 1) if level}


@pytest.fixture
def known(cohort, territory, participant, partner, password, grid_version):
    """Six pilot territories on a 3 × 3 grid (levels 1–4):

    - Val-de-Marne: validated, axis means 2, 4, 4/3; cible gaps 1 (axis 1), — , 8/3;
    - Bretagne: validated, axis means 2, 10/3, 2.5 (a criterion without entry); gaps 2, —, 1;
    - Corrèze: an older validated bilan (axis means 1, 2, 4) and a newer draft (all 4s):
      the validated one is compared; no cible;
    - Drôme: only a draft; Eure: a plan without bilan; Finistère: no plan at all.
    """
    grid = grid_version.grid
    people = {}
    teams = {}
    for name in ["Bretagne", "Corrèze", "Drôme", "Eure", "Finistère"]:
        teams[name] = pilot_territory_add(cohort=cohort, name=name)
        people[name] = user_create(
            email=f"{name[:3].lower()}@example.org",
            password=password,
            display_name=f"Membre {name}",
        )
        cohort_member_add(
            cohort=cohort,
            user=people[name],
            role=CohortRole.PARTICIPANT,
            pilot_territory=teams[name],
        )
    vdm = make_plan(grid=grid, pilot_territory=territory)
    make_bilan(vdm, codes(1, 1, 2, 3) | codes(2, 4, 4, 4) | codes(3, 1, 1, 2), day=10)
    set_targets(vdm, codes(1, 3, 3, 3) | codes(3, 4, 4, 4))
    # A cible at the other horizon does not count at M36.
    set_targets(vdm, codes(2, 1, 1, 1), horizon=Horizon.END)
    bretagne = make_plan(grid=grid, pilot_territory=teams["Bretagne"])
    make_bilan(bretagne, codes(1, 2, 2, 2) | codes(2, 3, 3, 4) | codes(3, 2, 3), day=11)
    set_targets(bretagne, codes(1, 4, 4, 4) | codes(3, 3))
    correze = make_plan(grid=grid, pilot_territory=teams["Corrèze"])
    make_bilan(correze, codes(1, 1, 1, 1) | codes(2, 2, 2, 2) | codes(3, 4, 4, 4), day=5)
    make_bilan(
        correze,
        codes(1, 4, 4, 4) | codes(2, 4, 4, 4) | codes(3, 4, 4, 4),
        day=20,
        status=BilanStatus.DRAFT,
        moment=BilanMoment.END,
    )
    drome = make_plan(grid=grid, pilot_territory=teams["Drôme"])
    make_bilan(drome, codes(1, 1, 1, 1), day=12, status=BilanStatus.DRAFT)
    make_plan(grid=grid, pilot_territory=teams["Eure"])
    return {"teams": teams, "people": people}


# --- the figures ----------------------------------------------------------------------------


def test_axis_figures_and_summary_by_hand():
    axes = [AxisInfo("a", "A", ("a1", "a2")), AxisInfo("b", "B", ("b1", "b2"))]
    one = axis_figures(axes, {"a1": 1, "a2": 2, "b1": 4}, {"a1": 3, "b2": 4})
    assert one == ([1.5, 4.0], [2.0, None])
    two = axis_figures(axes, {"a1": 3, "a2": 3}, {})
    assert two == ([3.0, None], [None, None])
    three = axis_figures(axes, {"a1": 4, "a2": 4, "b1": 1, "b2": 2}, {"a1": 4, "b1": 4, "b2": 3})
    assert three == ([4.0, 1.5], [0.0, 2.0])
    a, b = summarise(axes, [one, two, three])
    assert (a.median, a.mean_gap, a.counted) == (3.0, 1.0, 3)
    assert (b.median, b.mean_gap, b.counted) == (2.75, 2.0, 2)
    assert summarise(axes, []) == [
        type(a)(axis=axes[0], median=None, mean_gap=None, counted=0),
        type(a)(axis=axes[1], median=None, mean_gap=None, counted=0),
    ]


def test_weakest_axes_on_a_known_cohort(cohort, known, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        c = cohort_comparison(cohort)
    assert [a.code for a in c.axes] == ["axe-1", "axe-2", "axe-3"]
    assert [row.territory.name for row in c.compared] == ["Bretagne", "Corrèze", "Val-de-Marne"]
    by_name = {row.territory.name: row for row in c.rows}
    assert by_name["Val-de-Marne"].axis_levels == [2.0, 4.0, 1.33]
    assert by_name["Val-de-Marne"].axis_gaps == [1.0, None, 2.67]
    assert by_name["Bretagne"].axis_levels == [2.0, 3.33, 2.5]
    assert by_name["Bretagne"].axis_gaps == [2.0, None, 1.0]
    assert by_name["Corrèze"].axis_levels == [1.0, 2.0, 4.0]  # not the newer draft
    assert by_name["Corrèze"].compared.date == datetime.date(2027, 1, 5)
    assert by_name["Corrèze"].latest.status == BilanStatus.DRAFT
    assert [(s.axis.code, s.median, s.mean_gap, s.counted) for s in c.summaries] == [
        ("axe-1", 2.0, 1.5, 3),
        ("axe-2", 3.33, None, 3),
        ("axe-3", 2.5, 1.83, 3),
    ]
    assert [s.axis.code for s in c.lowest_medians] == ["axe-1", "axe-3", "axe-2"]
    assert [s.axis.code for s in c.biggest_gaps] == ["axe-3", "axe-1"]
    # The other horizon: only Val-de-Marne's axis-2 cible (1 below its levels of 4).
    end = cohort_comparison(cohort, horizon=Horizon.END)
    assert [s.mean_gap for s in end.summaries] == [None, -3.0, None]
    assert end.biggest_gaps == []


def test_who_has_not_done_a_bilan_yet(cohort, known):
    c = cohort_comparison(cohort)
    assert [(row.territory.name, [str(m) for m in row.members]) for row in c.not_done] == [
        ("Drôme", ["Membre Drôme"]),
        ("Eure", ["Membre Eure"]),
        ("Finistère", ["Membre Finistère"]),
    ]


def test_bilans_on_an_older_version_compare_by_criterion_code(cohort, territory, grid_version):
    plan = make_plan(grid=grid_version.grid, pilot_territory=territory)
    make_bilan(plan, codes(1, 2, 2, 2), day=3, version=grid_version)
    newer = make_grid(grid=grid_version.grid, axes=3, criteria=3)
    c = cohort_comparison(cohort)
    assert (c.version_id, c.version_number) == (newer.pk, 2)
    assert c.compared[0].axis_levels == [2.0, None, None]


def test_figures_as_the_tables_show_them():
    assert [_figure(v, ",") for v in [2.5, 2.0, 10.0, 0.0, 3.33, -3.0, None]] == [
        "2,5",
        "2",
        "10",
        "0",
        "3,33",
        "-3",
        "—",
    ]


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_radars_tables_and_who_is_missing(client, cohort, known, animateur):
    client.force_login(animateur)
    response = client.get(url(cohort), **EN)
    assert response.status_code == 200
    page = response.content.decode()
    # One radar per territory with a validated bilan, each with its own id.
    assert len(re.findall(r'<svg[^>]* id="cohort-radar-\d+"', page)) == 3
    assert "Val-de-Marne: mean level of each axis" in page
    assert 'id="cohort-levels"' in page and 'id="cohort-axes"' in page
    levels_table = page[page.index('id="cohort-levels"') :]
    assert "Promotion median" in levels_table and "3.33" in levels_table
    not_done = page[
        page.index('id="cohort-not-done-title"') : page.index('id="cohort-status-title"')
    ]
    for name in ["Drôme", "Eure", "Finistère", "Membre Drôme"]:
        assert name in not_done
    assert "Bretagne" not in not_done
    # Each territory's latest bilan (the draft for Corrèze) and a link to each plan.
    assert "compared: the validated bilan of 5 Jan 2027" in page
    for plan in [known["teams"][n].plan for n in ["Bretagne", "Corrèze", "Drôme", "Eure"]]:
        assert f'href="{reverse("diagnostics:plan", args=[plan.pk])}"' in page


def test_in_french(client, cohort, known, animateur):
    client.force_login(animateur)
    page = client.get(url(cohort), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "3,33" in page  # the median, French decimals in the tables
    # and dots in the pictures' numbers
    boxes = re.findall(r'<svg[^>]* class="chart chart-radar[^>]* viewBox="([^"]*)"', page)
    assert len(boxes) == 3
    assert all(re.fullmatch(r"[\d. ]+", box) for box in boxes), boxes
    assert 'data-value="1.33"' in page  # Val-de-Marne's third axis


def test_an_empty_cohort(client, cohort, animateur, grid_version):
    client.force_login(animateur)
    response = client.get(url(cohort), **EN)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No pilot territory has validated a bilan yet." in page
    assert "Val-de-Marne" in page  # listed among those without a bilan


def test_a_bad_horizon_or_grid_falls_back_to_the_defaults(client, cohort, known, animateur):
    client.force_login(animateur)
    response = client.get(url(cohort) + "?horizon=m99&grille=%3Cscript%3E", **EN)
    assert response.status_code == 200
    assert response.context["comparison"].horizon == Horizon.M36
    assert response.context["comparison"].grid == known["teams"]["Bretagne"].plan.grid
    assert "<script>" not in response.content.decode().split("</header>", 1)[1]


def test_a_second_grid_can_be_shown(client, cohort, known, animateur):
    other = make_grid(slug="autre-grille", axes=2, criteria=2)
    eure = known["teams"]["Eure"].plan
    eure.grid = other.grid
    eure.save()
    make_bilan(eure, codes(1, 3, 3) | codes(2, 1, 1), day=15)
    client.force_login(animateur)
    page = client.get(url(cohort), **EN).content.decode()
    assert "on the grid Grille autre-grille" in page
    assert "?grille=autre-grille" in page
    response = client.get(url(cohort) + "?grille=autre-grille", **EN)
    c = response.context["comparison"]
    assert c.grid == other.grid
    assert [row.territory.name for row in c.compared] == ["Eure"]
    assert [s.median for s in c.summaries] == [3.0, 1.0]


# --- who may --------------------------------------------------------------------------------


@pytest.fixture
def other_animateur(other_cohort, password):
    user = user_create(
        email="autre-anim@example.org", password=password, display_name="Autre animatrice"
    )
    cohort_member_add(cohort=other_cohort, user=user, role=CohortRole.ANIMATEUR)
    return user


@pytest.mark.parametrize(
    "who, private, public",
    [
        ("admin", 200, 200),
        ("animateur", 200, 200),
        ("other_animateur", 404, 403),
        ("participant", 403, 403),
        ("partner", 403, 403),
        ("intervenant", 403, 403),
        ("other_participant", 404, 403),
        ("outsider", 404, 403),
    ],
)
def test_who_may_see_the_cohort_view(client, cohort, known, request, who, private, public):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(cohort)).status_code == private
    cohort.visibility = CohortVisibility.PUBLIC
    cohort.save()
    assert client.get(url(cohort)).status_code == public


def test_anonymous_visitors_are_sent_to_log_in(client, cohort):
    response = client.get(url(cohort))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_unknown_cohort_and_post(client, cohort, animateur, admin):
    client.force_login(admin)
    assert client.get("/bilans/promotion/inconnue/").status_code == 404
    client.force_login(animateur)
    assert client.post(url(cohort)).status_code == 405


def test_the_console_links_to_the_cohort_view(client, cohort, animateur):
    client.force_login(animateur)
    page = client.get(reverse("journeys:console", args=[cohort.slug])).content.decode()
    assert f'href="{url(cohort)}"' in page


# --- cached, and fresh ----------------------------------------------------------------------


def stored(client: Client, path: str) -> str:
    """Asked until the browser holds a CSRF cookie and the page is kept, then served
    from the cache (the session, the user and the cohort's state: three queries)."""
    client.get(path, **EN)
    client.get(path, **EN)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **EN)
    assert response.status_code == 200
    assert len(captured.captured_queries) <= 3, "not served from the cache"
    return response.content.decode()


def test_a_changed_bilan_shows_at_once(client, cohort, known, animateur):
    caches["cohort_pages"].clear()
    client.force_login(animateur)
    page = stored(client, url(cohort))
    assert "Drôme" in page.split('id="cohort-not-done-title"')[1].split("</section>")[0]
    # The Drôme team fills and validates its draft: a write the services mark.
    bilan = known["teams"]["Drôme"].plan.bilans.get()
    bilan.status, bilan.validated_at = BilanStatus.VALIDATED, timezone.now()
    bilan.save()
    Entry.objects.filter(bilan=bilan).update(level=2)
    assert "Drôme" in stored(client, url(cohort)).split('id="cohort-not-done-title"')[1]
    cohort_pages_changed(cohort.pk)
    page = client.get(url(cohort), **EN).content.decode()
    assert "Drôme" not in page.split('id="cohort-not-done-title"')[1].split("</section>")[0]
    assert len(re.findall(r'<svg[^>]* id="cohort-radar-\d+"', page)) == 4


def test_a_bilan_validated_through_the_services_shows_at_once(client, cohort, known, animateur):
    from alliances.diagnostics.services import bilan_create, bilan_validate, entry_save

    caches["cohort_pages"].clear()
    client.force_login(animateur)
    assert "Eure" in stored(client, url(cohort)).split('id="cohort-not-done-title"')[1]
    member = known["people"]["Eure"]
    bilan = bilan_create(
        plan=known["teams"]["Eure"].plan,
        moment=BilanMoment.T0,
        date=datetime.date(2027, 1, 18),
        user=member,
    )
    for entry in bilan.entries.all():
        entry_save(entry=entry, user=member, level=3, evidence="", organisation_ids=[], revision=0)
    bilan_validate(bilan=bilan, user=member)
    page = client.get(url(cohort), **EN).content.decode()
    assert "Eure" not in page.split('id="cohort-not-done-title"')[1].split("</section>")[0]
    eure = known["teams"]["Eure"]
    assert f'id="cohort-radar-{eure.pk}"' in page
