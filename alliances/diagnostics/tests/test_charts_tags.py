"""The picture tags of a plan: what they show, their table and list alternatives, escaping,
and the queries they cost (fixed, whatever the number of bilans or actions)."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.template import Context, Template

from alliances.diagnostics.models import Axis, Horizon, Plan, Target
from alliances.diagnostics.selectors import plan_evolution, plan_radar, plan_roadmap
from alliances.diagnostics.testing import make_plan
from alliances.diagnostics.tests.pictures import fill_plan, make_bilan

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def render(tag: str, plan: Plan, **extra) -> str:
    tag = tag if " " in tag else f"{tag} plan"
    return Template("{% load diagnostics_charts %}{% " + tag + " %}").render(
        Context({"plan": plan, **extra})
    )


def svgs(html: str) -> list[ET.Element]:
    """The SVG pictures of a fragment, parsed (they must be well-formed XML)."""
    found = []
    start = html.find("<svg")
    while start != -1:
        end = html.index("</svg>", start) + len("</svg>")
        found.append(ET.fromstring(html[start:end]))  # noqa: S314 (our own markup)
        start = html.find("<svg", end)
    return found


@pytest.fixture
def filled(plan, grid_version, participant) -> Plan:
    return fill_plan(plan, grid_version, owner=participant, partner_name="Centre social")


def test_radar_shows_bilan_cible_and_median_with_tables(filled):
    html = render("plan_radar", filled)
    [picture, *swatches] = svgs(html)
    assert picture.get("role") == "img"
    series = [
        g.get("class") for g in picture.iter(f"{SVG}g") if "chart-series" in g.get("class", "")
    ]
    assert series == [
        "chart-series series-bilan",
        "chart-series series-cible",
        "chart-series series-median",
    ]
    assert len(swatches) == 3
    # The latest bilan (M9, a draft) is the one shown: axis 1 criteria at 2, 3, 2 → 2,33.
    assert "15 octobre 2026" in html
    assert "<td>2,33</td>" in html
    # The cible is two levels above T0 (capped at 4): 3, 4, 3 → 3,33; gap 1.
    assert "<td>3,33</td>" in html
    assert html.count("<td>1</td>") >= 3
    # The criterion table, in a <details>, names the levels.
    assert "<details" in html and "Critère 1.2" in html and "3 · Consolidation" in html
    assert "open" not in html.split("<details", 1)[1].split(">", 1)[0]


def test_criteria_in_a_section_of_their_own(filled):
    html = render("plan_radar plan with_criteria=False", filled)
    assert "<details" not in html and "Critère 1.2" not in html
    html = render("plan_criteria", filled)
    assert "<details" not in html and "<h2" in html
    assert "Critère 1.2" in html and "3 · Consolidation" in html


def test_radar_median_is_the_cohorts(filled, grid_version, other_cohort, cohort):
    # Another territory of the same cohort with every criterion at 4: the median moves.
    from alliances.journeys.models import PilotTerritory

    other = PilotTerritory.objects.create(cohort=cohort, name="Essonne")
    other_plan = make_plan(grid=grid_version.grid, pilot_territory=other)
    make_bilan(
        other_plan,
        grid_version,
        day=date(2026, 2, 1),
        moment="t0",
        levels={c.code: 4 for c in grid_version.criteria.all()},
    )
    radar = plan_radar(filled)
    first = radar.axes[0].criteria[0]
    # The median counts each territory's latest *validated* bilan, as the animateur's
    # cohort view does: T0 of the plan (1; its M9 is a draft) and the other territory's 4.
    assert (first.bilan, first.median) == (2, 2.5)
    # On the axis: the median of the territories' axis means (T0: 1, 2, 1 → 1.33; and 4).
    assert radar.axes[0].median == 2.67


def test_radar_without_a_team_cohort_has_no_median(grid_version, participant):
    plan = make_plan(grid=grid_version.grid, owner=participant, name="Mon plan")
    make_bilan(plan, grid_version, day=date(2026, 1, 1), moment="t0", levels={"axe-1-critere-1": 2})
    html = render("plan_radar", plan)
    assert "series-median" not in html and "series-bilan" in html
    assert "series-cible" not in html  # no cible set


def test_radar_of_a_cible_only_and_of_nothing(plan, grid_version):
    html = render("plan_radar", plan)
    assert 'class="muted"' in html and "<table" not in html
    assert "<svg" not in render("plan_radar", plan)
    criterion = grid_version.criteria.first()
    Target.objects.create(plan=plan, criterion=criterion, horizon=Horizon.END, level=3)
    radar = plan_radar(plan)
    assert radar.horizon == Horizon.END and radar.bilan is None
    html = render("plan_radar", plan)
    assert "series-cible" in html and "series-bilan" not in html


def test_radar_prefers_the_36_month_cible(filled, grid_version):
    criterion = grid_version.criteria.first()
    Target.objects.create(plan=filled, criterion=criterion, horizon=Horizon.END, level=1)
    assert plan_radar(filled).horizon == Horizon.M36


def test_pictures_escape_hostile_names(filled, grid_version):
    hostile = '<script>alert("x")</script>'
    Axis.objects.filter(version=grid_version, position=1).update(name=hostile)
    filled.name = hostile
    for tag in ("plan_radar", "plan_gaps", "plan_evolution", "plan_roadmap"):
        html = render(tag, filled)
        assert "<script>" not in html, tag
        svgs(html)  # still well-formed
    filled.actions.filter(title="Action 1").update(title=hostile)
    html = render("plan_roadmap", filled)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_gaps_table_and_bars(filled):
    html = render("plan_gaps", filled)
    [bars] = svgs(html)
    values = [r.get("data-value") for r in bars.iter(f"{SVG}rect")]
    assert values == ["1", "1", "1"]
    assert "Axe 3" in html


def test_evolution_per_axis_across_bilans(filled, grid_version):
    html = render("plan_evolution", filled)
    [picture] = svgs(html)
    panels = [g for g in picture.iter(f"{SVG}g") if g.get("class") == "chart-panel"]
    assert [p.find(f"{SVG}title").text for p in panels] == ["Axe 1", "Axe 2", "Axe 3"]
    # Axis 1: T0 1,2,1 → 1,33; M9 2,3,2 → 2,33; cible 3,33.
    points = [c.get("data-value") for c in panels[0].iter(f"{SVG}circle")]
    assert points == ["1.33", "2.33"]
    assert panels[0].find(f"{SVG}line[@class='chart-target']").get("data-value") == "3.33"
    assert ">T0 <" in html and ">M9 <" in html
    assert "brouillon" in html  # the M9 bilan is a draft, and the table says so


def test_evolution_without_bilan(plan):
    html = render("plan_evolution", plan)
    assert "<svg" not in html


def test_roadmap_gantt_and_list_by_start(filled):
    html = render("plan_roadmap", filled, today=None)
    [gantt] = svgs(html)
    bars = [r for r in gantt.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]
    assert len(bars) == 4
    diamonds = [p for p in gantt.iter(f"{SVG}polygon") if p.get("class") == "chart-milestone"]
    assert len(diamonds) == 2
    listed = html.split('class="dg-roadmap-list"', 1)[1]
    order = [listed.index(t) for t in ("Action 1", "Action 2", "Action 3", "Action 4")]
    assert order == sorted(order)
    # The milestone of 1 June 2026 comes after the actions that start before it.
    assert listed.index("Action 4") < listed.index("Comité de pilotage")
    assert "Centre social" in listed and "Critère 1.1" in listed
    items = plan_roadmap(filled).items
    assert [i.start for i in items] == sorted(i.start for i in items)


def test_roadmap_empty(plan):
    html = render("plan_roadmap", plan)
    assert "<svg" not in html


@pytest.mark.parametrize(
    ("tag", "queries"), [("plan_radar", 6), ("plan_evolution", 5), ("plan_roadmap", 4)]
)
def test_each_tag_reads_a_fixed_number_of_queries(
    tag, queries, filled, grid_version, participant, django_assert_num_queries
):
    plan = Plan.objects.get(pk=filled.pk)
    with django_assert_num_queries(queries):
        render(tag, plan)
    # Twice the bilans and actions: the same count.
    make_bilan(
        plan,
        grid_version,
        day=date(2027, 1, 1),
        moment="m36",
        levels={c.code: 4 for c in grid_version.criteria.all()},
    )
    fill_plan(plan, grid_version, owner=participant, partner_name="Autre partenaire", cible=False)
    plan = Plan.objects.get(pk=filled.pk)
    with django_assert_num_queries(queries):
        render(tag, plan)


def test_figures_passed_in_cost_nothing(filled, django_assert_num_queries):
    radar, evolution, roadmap = plan_radar(filled), plan_evolution(filled), plan_roadmap(filled)
    template = Template(
        "{% load diagnostics_charts %}{% plan_radar plan radar %}{% plan_gaps plan radar %}"
        "{% plan_evolution plan evolution %}{% plan_roadmap plan roadmap %}"
    )
    with django_assert_num_queries(0):
        template.render(
            Context({"plan": filled, "radar": radar, "evolution": evolution, "roadmap": roadmap})
        )
