"""/observatoire/ and a wave's dashboard: what each person sees, the selection in the URL,
the htmx fragment, small cells, the evolution, local beside national, and query counts."""

import re
from html import unescape

import pytest
from django.urls import reverse

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.observatory import analysis, dataset
from alliances.observatory.models import Survey
from alliances.observatory.services import survey_create, wave_publish
from alliances.observatory.testing import make_wave
from alliances.territories.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(analyste):
    return wave_publish(wave=make_wave(analyste, n=400), by=analyste)


@pytest.fixture
def draft(analyste):
    return make_wave(analyste, slug="brouillon", label="2025", n=200)


@pytest.fixture
def other_analyste(db, password):
    return user_create(email="autre.analyste@example.org", password=password,
                       role=User.Role.ANALYSTE, display_name="Autre Analyste")


def dashboard_url(wave):
    return reverse("observatory:dashboard", args=[wave.pk])


def table_cells(html: str, table_id: str = "results-table") -> list[list[str]]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip()
         for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_index_lists_published_waves_by_survey(client, published, draft):
    response = client.get(reverse("observatory:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Baromètre des maires" in html
    assert published.get_absolute_url() in html
    assert draft.get_absolute_url() not in html
    assert "/observatoire/console/" not in html
    assert re.search(r'<td class="numeric">400</td>', html)


def test_analysts_see_every_wave_with_its_status_and_the_console(client, analyste, published,
                                                                draft):
    client.force_login(analyste)
    html = client.get(reverse("observatory:index")).content.decode()
    assert published.get_absolute_url() in html and draft.get_absolute_url() in html
    assert "badge-warning" in html  # the draft's status badge
    assert "/observatoire/console/" in html


def test_the_dashboard_shows_the_default_question_and_its_table(client, published):
    response = client.get(dashboard_url(published))
    assert response.status_code == 200
    assert response.context["selection"].question == "q4"
    html = response.content.decode()
    assert 'role="img"' in html and "<title" in html
    rows = table_cells(html)
    results = analysis.question_results(dataset.wave_data(published), "q4")
    assert [r[1] for r in rows] == ["Oui", "Non", "Ne sait pas"]
    assert [r[4] for r in rows] == ["400"] * 3
    share = results.groups[0].options[0].share * 100
    assert rows[0][2].replace(",", ".").replace("\xa0", "").startswith(f"{share:.1f}")
    # No selection in the URL: the downloads take the same defaults.
    assert f'href="/observatoire/vagues/{published.pk}/resultats.csv"' in html


def test_the_selection_lives_in_the_url(client, published):
    params = "question=q14&by=region&filter=taille_commune:moins_1000&option=ecoles"
    response = client.get(f"{dashboard_url(published)}?{params}")
    assert response.status_code == 200
    selection = response.context["selection"]
    assert selection.question == "q14" and selection.by == ["region"]
    assert selection.filters == {"taille_commune": ["moins_1000"]}
    assert selection.focus == "ecoles"
    html = response.content.decode()
    assert 'value="taille_commune:moins_1000" id="filter-taille_commune-moins_1000" checked' \
        in html
    assert re.search(r'<option value="region" selected>', html)
    assert f"resultats.csv?{params.replace(':', '%3A')}" in unescape(html)
    # Three regions × three options, the regions' bars sorted by the share of « ecoles ».
    assert len(table_cells(html)) == 9
    chart = response.context["chart"]
    results = response.context["results"]
    shares = sorted(((next(o.share for o in g.options if o.code == "ecoles"),
                      g.key_labels["region"]) for g in results.groups), reverse=True)
    positions = [chart.index(f">{label}<") for _share, label in shares]
    assert positions == sorted(positions)


def test_htmx_gets_the_results_fragment_only(client, published):
    response = client.get(f"{dashboard_url(published)}?question=q20&by=region",
                          headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html and 'name="question"' not in html
    assert "HX-Request" in response["Vary"]
    assert len(table_cells(html)) == 3  # a mean per region


def test_a_bad_selection_is_a_400_naming_the_code(client, published):
    response = client.get(f"{dashboard_url(published)}?question=q4&filter=region:zz")
    assert response.status_code == 400
    assert "zz" in response.context["error"]
    assert 'role="alert"' in response.content.decode()
    assert 'name="question"' in response.content.decode()  # the form is still there
    assert client.get(f"{dashboard_url(published)}?question=q99").status_code == 400


def test_small_cells_are_hidden_in_public_and_flagged_for_analysts(client, analyste,
                                                                    published):
    url = f"{dashboard_url(published)}?question=q14&by=region&by=taille_commune&filter=q4:oui"
    public = client.get(url)
    small = [g for g in public.context["results"].groups if g.too_small]
    assert small
    rows = table_cells(public.content.decode())
    hidden = [r for r in rows if len(r) == 7]  # the share and CI cells merged into a note
    assert len(hidden) == 3 * len(small)
    assert all("n < 30" in r[2] for r in hidden)
    client.force_login(analyste)
    private = client.get(url)
    rows = table_cells(private.content.decode())
    assert all(len(r) == 8 for r in rows)
    assert sum(1 for r in rows if r[-1].startswith("⚠")) == 3 * len(small)


@pytest.mark.parametrize(("who", "status"), [
    ("admin", 200), ("analyste", 200), ("other_analyste", 200), ("animateur", 404),
    ("participant", 404), (None, 404),
])
def test_unpublished_dashboards_are_for_analysts(client, request, draft, who, status):
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    response = client.get(dashboard_url(draft))
    assert response.status_code == status
    if status == 200:
        assert "status-banner" in response.content.decode()
    for name in ("dashboard_csv", "dashboard_xlsx", "dashboard_svg"):
        assert client.get(reverse(f"observatory:{name}", args=[draft.pk])).status_code == status


def test_a_published_dashboard_has_no_banner(client, published):
    assert "status-banner" not in client.get(dashboard_url(published)).content.decode()
    assert client.get(reverse("observatory:dashboard", args=[published.pk + 99])).status_code \
        == 404


def test_the_evolution_tests_each_change(client, analyste, published):
    second = wave_publish(wave=make_wave(analyste, label="2025", n=600, seed=5), by=analyste)
    response = client.get(f"{dashboard_url(second)}?question=q4")
    rows = response.context["evolution"]
    assert [r.wave for r in rows] == ["2024"] * 3 + ["2025"] * 3
    assert all(r.significant is None and r.p_value == "–" for r in rows[:3])
    series = analysis.evolution(
        [(w.pk, w.label, dataset.wave_data(w)) for w in (published, second)], "q4")
    for row, code in zip(rows[3:], ("oui", "non", "nsp"), strict=True):
        diff, p = series[1].change[code]
        assert row.significant is (p < 0.05)
        assert float(row.p_value.replace(",", ".")) == pytest.approx(p, abs=5e-4)
    html = response.content.decode()
    assert 'id="evolution-table"' in html
    assert html.count('role="img"') == 2


def test_a_local_wave_shows_the_national_figures_and_the_national_links_back(
    client, analyste, published
):
    local_survey = survey_create(slug="vie-asso-bretagne", title="Observatoire de Bretagne",
                                 population="maires", owner=analyste,
                                 scope=Survey.Scope.LOCAL, region=Region.objects.get(pk="53"))
    local = wave_publish(wave=make_wave(analyste, survey=local_survey, label="2024", n=150,
                                        seed=3), by=analyste)
    response = client.get(f"{dashboard_url(local)}?question=q4")
    comparison = response.context["comparison"]
    assert comparison.national == published
    national = analysis.question_results(dataset.wave_data(published), "q4")
    assert comparison.national_n == 400 and comparison.local_n == 150
    assert [row[0] for row in comparison.rows] == ["Oui", "Non", "Ne sait pas"]
    expected = f"{national.groups[0].options[0].share * 100:.1f}".replace(".", ",")
    assert comparison.rows[0][2].startswith(expected)
    html = response.content.decode()
    assert "Baromètre des maires" in html and 'id="compare-title"' in html
    national_page = client.get(f"{dashboard_url(published)}?question=q4")
    assert national_page.context["comparison"] is None
    assert national_page.context["locals"] == [local]
    assert f"{local.get_absolute_url()}?question=q4" in national_page.content.decode()


def test_page_queries_are_bounded(client, analyste, published, django_assert_max_num_queries):
    wave_publish(wave=make_wave(analyste, label="2025", n=300, seed=4), by=analyste)
    url = f"{dashboard_url(published)}?question=q14&by=region&filter=taille_commune:moins_1000"
    client.get(url)  # the data sets are built once per process
    # The wave, the questions' groups, the survey's waves asking the question, the national
    # counterpart's lookup and the local observatories.
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get(reverse("observatory:index")).status_code == 200
    client.force_login(analyste)
    # The session, the user and the notifications' count come first for a signed-in person.
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    for i in range(3):
        make_wave(analyste, slug=f"autre{i}", label="2024", n=40, seed=i)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("observatory:index"))
    assert len(response.context["surveys"]) == 4
