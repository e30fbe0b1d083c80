"""Who works with whom: the counts and shares by pair of actor types computed by hand on a
small territory, who sees what, the national figures beside them (the observatory API's own
share, latest published wave only), the missing links, bad paths, French, query counts."""

import datetime
import html
from types import SimpleNamespace

import pytest

from alliances.actors.models import OrganisationType as T
from alliances.actors.services import organisation_create
from alliances.observatory import demo
from alliances.observatory.services import survey_create, wave_publish
from alliances.observatory.testing import make_wave
from alliances.partnerships.benchmarks import DEMO_BENCHMARKS, partner_benchmarks_demo
from alliances.partnerships.matrix import matrix_read, national_figures, percent
from alliances.partnerships.models import (
    AllianceForm,
    AllianceStatus,
    AllianceType,
    PartnerBenchmark,
)
from alliances.partnerships.services import PartnerSpec, alliance_create

pytestmark = pytest.mark.django_db

URL = "/alliances/qui-avec-qui/departement/94/"


def ally(*organisations, title="Alliance", is_public=True, **territory):
    return alliance_create(
        title=title, type=AllianceType.INNOVATION_SOCIETALE, form=AllianceForm.PARTENARIAT,
        start_date=datetime.date(2024, 3, 1), status=AllianceStatus.ACTIVE,
        is_public=is_public, partners=[PartnerSpec(o) for o in organisations], **territory,
    )


@pytest.fixture
def ecosystem(organisation, hidden_organisation, vincennes, creteil, lyon):
    """Val-de-Marne: two public associations (one of Vincennes, managed by the participant
    persona, one of Créteil), a company, a town hall, and a private association (also the
    participant's). Public alliances: association + company, association + association +
    town hall; private: the private association + the town hall. A company of Lyon allied
    with the town hall of Créteil is a partner from outside the territory."""
    friends = organisation_create(name="Les Amis de Créteil", type=T.ASSOCIATION,
                                  commune=creteil)
    company = organisation_create(name="Boulangerie Martin", type=T.ENTREPRISE,
                                  commune=vincennes)
    town = organisation_create(name="Mairie de Créteil", type=T.COLLECTIVITE, commune=creteil)
    return SimpleNamespace(
        association=organisation, friends=friends, company=company, town=town,
        hidden=hidden_organisation,
        bakery=ally(organisation, company, title="Pain solidaire",
                    departement=vincennes.departement),
        festival=ally(organisation, friends, town, title="Festival des quartiers",
                      commune=creteil),
        secret=ally(hidden_organisation, town, title="Projet discret", is_public=False,
                    departement=vincennes.departement),
    )


def test_counts_and_shares_by_hand_for_an_anonymous_visitor(ecosystem, val_de_marne):
    from django.contrib.auth.models import AnonymousUser

    matrix = matrix_read(AnonymousUser(), val_de_marne)
    assert matrix.organisations == 4 and matrix.alliances == 2
    assert [t.code for t in matrix.types] == [T.ASSOCIATION, T.ENTREPRISE, T.COLLECTIVITE]
    assert {r.type.code: r.n for r in matrix.rows} == {
        T.ASSOCIATION: 2, T.ENTREPRISE: 1, T.COLLECTIVITE: 1}
    counts = {(r.type.code, c.to.code): c.alliances for r in matrix.rows for c in r.cells}
    assert counts == {
        (T.ASSOCIATION, T.ASSOCIATION): 1, (T.ASSOCIATION, T.ENTREPRISE): 1,
        (T.ASSOCIATION, T.COLLECTIVITE): 1,
        (T.ENTREPRISE, T.ASSOCIATION): 1, (T.ENTREPRISE, T.ENTREPRISE): 0,
        (T.ENTREPRISE, T.COLLECTIVITE): 0,
        (T.COLLECTIVITE, T.ASSOCIATION): 1, (T.COLLECTIVITE, T.ENTREPRISE): 0,
        (T.COLLECTIVITE, T.COLLECTIVITE): 0,
    }
    shares = {(r.type.code, c.to.code): (c.linked, c.n) for r in matrix.rows for c in r.cells}
    # One of the two associations works with the company; both work with an association
    # (each other) and with the town hall.
    assert shares[T.ASSOCIATION, T.ENTREPRISE] == (1, 2)
    assert matrix.cell(T.ASSOCIATION, T.ENTREPRISE).share == 0.5
    assert shares[T.ASSOCIATION, T.ASSOCIATION] == (2, 2)
    assert shares[T.ASSOCIATION, T.COLLECTIVITE] == (2, 2)
    assert shares[T.ENTREPRISE, T.ASSOCIATION] == (1, 1)
    assert shares[T.COLLECTIVITE, T.ENTREPRISE] == (0, 1)
    assert shares[T.ENTREPRISE, T.COLLECTIVITE] == (0, 1)


@pytest.mark.parametrize("persona", ["participant", "admin"])
def test_private_alliances_and_organisations_count_for_members_and_admins(
    ecosystem, val_de_marne, persona, request
):
    matrix = matrix_read(request.getfixturevalue(persona), val_de_marne)
    assert matrix.organisations == 5 and matrix.alliances == 3
    cell = matrix.cell(T.ASSOCIATION, T.COLLECTIVITE)
    assert (cell.alliances, cell.linked, cell.n) == (2, 3, 3)


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "analyste"])
def test_private_alliances_and_organisations_leave_no_trace_for_others(
    ecosystem, client, persona, request
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == 200
    matrix = response.context["matrix"]
    assert matrix.organisations == 4 and matrix.alliances == 2
    assert matrix.cell(T.ASSOCIATION, T.COLLECTIVITE).n == 2
    content = response.content.decode()
    assert "Collectif discret" not in content and "Projet discret" not in content


def test_a_member_sees_the_private_alliance_counted_on_the_page(ecosystem, client, participant):
    client.force_login(participant)
    matrix = client.get(URL).context["matrix"]
    assert matrix.cell(T.COLLECTIVITE, T.ASSOCIATION).alliances == 2


def test_partners_from_outside_the_territory_count_but_not_in_n(ecosystem, val_de_marne, lyon):
    from django.contrib.auth.models import AnonymousUser

    lyon_company = organisation_create(name="Lyon Conseil", type=T.ENTREPRISE, commune=lyon)
    ally(ecosystem.town, lyon_company, title="Conseil", departement=lyon.departement)
    matrix = matrix_read(AnonymousUser(), val_de_marne)
    # The alliance is registered in the Rhône but joins the town hall of Créteil.
    assert matrix.alliances == 3
    cell = matrix.cell(T.COLLECTIVITE, T.ENTREPRISE)
    assert (cell.alliances, cell.linked, cell.n) == (1, 1, 1)
    assert matrix.cell(T.ENTREPRISE, T.COLLECTIVITE).n == 1  # the company of Vincennes only


def test_a_commune_counts_its_organisations_alliances(ecosystem, creteil):
    from django.contrib.auth.models import AnonymousUser

    matrix = matrix_read(AnonymousUser(), creteil)
    # The friends and the town hall are of Créteil; the festival joins them.
    assert matrix.organisations == 2
    assert matrix.alliances == 1
    assert [t.code for t in matrix.types] == [T.ASSOCIATION, T.COLLECTIVITE]
    assert matrix.cell(T.ASSOCIATION, T.ASSOCIATION).alliances == 1
    assert (matrix.cell(T.ASSOCIATION, T.COLLECTIVITE).linked,
            matrix.cell(T.ASSOCIATION, T.COLLECTIVITE).n) == (1, 1)


# -- national figures ------------------------------------------------------------------------


@pytest.fixture
def maires(analyste):
    """A published wave of a mayors' barometer (q14: asso, entreprises, ecoles) mapped to
    local authorities working with associations and with companies."""
    wave = wave_publish(wave=make_wave(analyste, n=400), by=analyste)
    for option, to in (("entreprises", T.ENTREPRISE), ("asso", T.ASSOCIATION)):
        PartnerBenchmark.objects.create(survey=wave.survey, question_code="q14",
                                        option_code=option, from_type=T.COLLECTIVITE,
                                        to_type=to)
    return wave


def api_share(client, wave, option):
    body = client.get(f"/api/v1/observatory/waves/{wave.pk}/questions/q14/results").json()
    [group] = body["groups"]
    found = next(o for o in group["options"] if o["code"] == option)
    return found, group["n"]


def test_the_national_figure_is_the_observatory_apis_share(maires, client):
    from django.contrib.auth.models import AnonymousUser

    figures = national_figures(AnonymousUser())
    figure = figures[T.COLLECTIVITE, T.ENTREPRISE]
    option, n = api_share(client, maires, "entreprises")
    assert figure.share == option["share"]
    assert (figure.ci_low, figure.ci_high) == (option["ci_low"], option["ci_high"])
    assert figure.n == n  # those who answered q14
    assert figure.wave == "2024" and figure.survey == maires.survey.title
    assert figure.url == f"/observatoire/vagues/{maires.pk}/?question=q14&option=entreprises"
    assert figures[T.COLLECTIVITE, T.ASSOCIATION].share == api_share(client, maires, "asso")[0][
        "share"]


def test_unpublished_waves_are_ignored(maires, analyste):
    from django.contrib.auth.models import AnonymousUser

    # A newer wave of the same survey, still a draft: the published one stays the figure.
    make_wave(analyste, label="2025", n=100, seed=7, survey=maires.survey)
    figure = national_figures(AnonymousUser())[T.COLLECTIVITE, T.ENTREPRISE]
    assert figure.wave == "2024"
    # Even for an analyst, who may see the draft on the dashboard.
    assert national_figures(analyste)[T.COLLECTIVITE, T.ENTREPRISE].wave == "2024"
    # A survey with no published wave gives no figure.
    draft = make_wave(analyste, slug="brouillon", label="2025", n=100)
    PartnerBenchmark.objects.create(survey=draft.survey, question_code="q14",
                                    option_code="entreprises", from_type=T.ASSOCIATION,
                                    to_type=T.ENTREPRISE)
    assert (T.ASSOCIATION, T.ENTREPRISE) not in national_figures(AnonymousUser())


def test_the_latest_published_wave_wins(maires, analyste):
    from django.contrib.auth.models import AnonymousUser

    newer = wave_publish(wave=make_wave(analyste, label="2025", n=300, seed=9,
                                        survey=maires.survey), by=analyste)
    figure = national_figures(AnonymousUser())[T.COLLECTIVITE, T.ENTREPRISE]
    assert figure.wave == "2025"
    assert figure.url.startswith(f"/observatoire/vagues/{newer.pk}/")


def test_a_benchmark_naming_an_unknown_option_or_question_is_left_out(maires):
    from django.contrib.auth.models import AnonymousUser

    PartnerBenchmark.objects.create(survey=maires.survey, question_code="q14",
                                    option_code="licornes", from_type=T.COLLECTIVITE,
                                    to_type=T.FONDATION)
    PartnerBenchmark.objects.create(survey=maires.survey, question_code="q99",
                                    option_code="x", from_type=T.COLLECTIVITE,
                                    to_type=T.ETAT)
    assert set(national_figures(AnonymousUser())) == {
        (T.COLLECTIVITE, T.ENTREPRISE), (T.COLLECTIVITE, T.ASSOCIATION)}


def test_the_page_shows_the_national_figure_beside_the_territory(ecosystem, maires, client):
    response = client.get(URL)
    content = response.content.decode()
    figure = response.context["matrix"].cell(T.COLLECTIVITE, T.ENTREPRISE).national
    assert figure is not None
    assert figure.share_text in content and figure.ci_text in content
    assert f'href="/observatoire/vagues/{maires.pk}/?question=q14&amp;option=entreprises"' in (
        content)
    assert "Baromètre des maires — 2024" in content


# -- missing links ---------------------------------------------------------------------------


def test_missing_link_with_the_national_figure(ecosystem, maires, client):
    response = client.get(URL)
    figure = response.context["matrix"].cell(T.COLLECTIVITE, T.ENTREPRISE).national
    texts = [s.text for s in response.context["matrix"].suggestions]
    expected = (
        "Aucune alliance encore entre les entreprises et les collectivités territoriales du "
        f"territoire (au niveau national, {percent(figure.share)} des collectivités "
        "territoriales déclarent des relations avec des entreprises)."
    )
    assert texts == [expected]
    content = response.content.decode()
    assert expected in html.unescape(content)
    assert 'href="/territoires/departement/94/?type=collectivite#results"' in content
    assert 'href="/territoires/departement/94/?type=entreprise#results"' in content
    assert 'href="/besoins/nouveau/"' in content


def test_missing_link_without_a_national_figure(ecosystem, client):
    texts = [s.text for s in client.get(URL).context["matrix"].suggestions]
    assert texts == ["Aucune alliance encore entre les entreprises et les collectivités "
                     "territoriales du territoire."]


def test_a_share_under_half_the_national_one_is_a_suggestion(ecosystem, maires, client, creteil):
    # Three more town halls with no alliance: 1 of 4 local authorities works with
    # associations, against about 45 % of the mayors nationally.
    for name in ("Mairie de Bonneuil", "Mairie de Maisons-Alfort", "Mairie d'Alfortville"):
        organisation_create(name=name, type=T.COLLECTIVITE, commune=creteil)
    matrix = client.get(URL).context["matrix"]
    cell = matrix.cell(T.COLLECTIVITE, T.ASSOCIATION)
    assert (cell.linked, cell.n) == (1, 4)
    assert cell.share < cell.national.share / 2
    expected = (
        "Seulement 25\u00a0% des collectivités territoriales du territoire ont une alliance "
        f"avec des associations, contre {percent(cell.national.share)} au niveau national."
    )
    assert expected in [s.text for s in matrix.suggestions]


def test_pairs_with_no_alliance_among_the_same_type(client, val_de_marne, creteil):
    for name in ("Entreprise A", "Entreprise B"):
        organisation_create(name=name, type=T.ENTREPRISE, commune=creteil)
    texts = [s.text for s in client.get(URL).context["matrix"].suggestions]
    assert texts == ["Aucune alliance encore entre les entreprises du territoire."]


def test_no_suggestion_when_every_pair_is_allied(client, organisation, creteil):
    company = organisation_create(name="Boulangerie", type=T.ENTREPRISE, commune=creteil)
    ally(organisation, company, commune=creteil)
    response = client.get(URL)
    assert response.context["matrix"].suggestions == []
    assert "Aucun lien manquant" in response.content.decode()


def test_many_missing_links_fold_after_the_first(client, creteil):
    for code in [T.ASSOCIATION, T.FONDATION, T.ENTREPRISE, T.COLLECTIVITE, T.ETAT]:
        organisation_create(name=f"Acteur {code}", type=code, commune=creteil)
    matrix = client.get(URL).context["matrix"]
    assert len(matrix.suggestions) == 6 and len(matrix.more_suggestions) == 4
    assert "4 autres liens manquants" in client.get(URL).content.decode()


# -- the page --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/alliances/qui-avec-qui/departement/00/",
    "/alliances/qui-avec-qui/commune/99999/",
    "/alliances/qui-avec-qui/planete/94/",
    "/alliances/qui-avec-qui/region/xx/",
])
def test_an_unknown_territory_is_not_found(client, val_de_marne, path):
    assert client.get(path).status_code == 404


def test_only_get(client, val_de_marne):
    assert client.post(URL).status_code == 405


def test_the_page_is_in_french(ecosystem, maires, client):
    content = html.unescape(client.get(URL).content.decode())
    for words in ("Qui travaille avec qui ?", "Alliances par paires de types d'acteurs",
                  "Part des acteurs ayant une alliance avec chaque type",
                  "Comparaison avec l'observatoire national", "Liens manquants",
                  "avec des entreprises", "Collectivités territoriales", "Publier un besoin"):
        assert words in content, words
    assert "<caption>" in content and 'scope="row"' in content and 'scope="col"' in content


def test_an_empty_territory(client, val_de_marne):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Aucun acteur ni alliance" in response.content.decode()


def more_of_everything(ecosystem, creteil, vincennes, count):
    for i in range(count):
        a = organisation_create(name=f"Association {i}", type=T.ASSOCIATION, commune=creteil)
        b = organisation_create(name=f"Entreprise {i}", type=T.ENTREPRISE, commune=vincennes)
        ally(a, b, ecosystem.town, title=f"Alliance {i}", commune=creteil)


@pytest.mark.parametrize("persona,cold,warm", [
    # territory, generation, (organisations, partners: when not cached), benchmarks, their
    # waves' codes, the waves
    ("anonymous", 7, 5),
    # + session, user, memberships, unread notifications
    ("outsider", 11, 9),
    # a member of an organisation: fresh figures, no generation
    ("participant", 10, 10),
])
def test_query_count_does_not_grow_with_the_territory(
    ecosystem, maires, client, creteil, vincennes, persona, cold, warm, request,
    django_assert_max_num_queries,
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    client.get("/alliances/qui-avec-qui/commune/94028/")  # the wave's data set, built once
    with django_assert_max_num_queries(cold):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(warm):
        assert client.get(URL).status_code == 200
    more_of_everything(ecosystem, creteil, vincennes, 15)
    with django_assert_max_num_queries(cold):
        response = client.get(URL)
    assert response.context["matrix"].alliances == 17 + (persona == "participant")


def test_cached_figures_follow_every_write_and_each_visibility(
    ecosystem, client, participant, admin, creteil
):
    assert client.get(URL).context["matrix"].alliances == 2
    client.force_login(participant)
    assert client.get(URL).context["matrix"].alliances == 3  # not the public figures
    client.force_login(admin)
    assert client.get(URL).context["matrix"].alliances == 3
    client.logout()
    assert client.get(URL).context["matrix"].alliances == 2
    newcomer = organisation_create(name="Fondation du Val", type=T.FONDATION, commune=creteil)
    ally(newcomer, ecosystem.company, title="Mécénat", commune=creteil)
    matrix = client.get(URL).context["matrix"]
    assert matrix.alliances == 3 and matrix.cell(T.FONDATION, T.ENTREPRISE).alliances == 1
    client.force_login(admin)
    assert client.get(URL).context["matrix"].alliances == 4


# -- the demo benchmarks ---------------------------------------------------------------------


def test_demo_benchmarks_do_nothing_without_the_surveys(db):
    assert partner_benchmarks_demo() == 0
    assert not PartnerBenchmark.objects.exists()


def test_demo_benchmarks_map_the_barometers_questions_once(analyste):
    for slug in (demo.MAIRES, demo.ASSOCIATIONS):
        survey_create(slug=slug, title=slug, population="maires", owner=analyste)
    assert partner_benchmarks_demo() == 9
    assert partner_benchmarks_demo() == 0
    rows = {(b.survey.slug, b.question_code, b.option_code): (b.from_type, b.to_type)
            for b in PartnerBenchmark.objects.select_related("survey")}
    assert rows[demo.ASSOCIATIONS, "q15", "entreprises"] == (T.ASSOCIATION, T.ENTREPRISE)
    assert rows[demo.ASSOCIATIONS, "q15", "communes"] == (T.ASSOCIATION, T.COLLECTIVITE)
    assert rows[demo.MAIRES, "q14", "associations"] == (T.COLLECTIVITE, T.ASSOCIATION)
    assert len(rows) == sum(len(options) for options in DEMO_BENCHMARKS.values())
    # Every option the mapping names is one the demo barometers ask.
    asked = {"q15": {c for c, _ in demo.RELATIONS}, "q14": {c for c, _ in demo.MAIRES_PARTNERS}}
    assert all(option in asked[question] for _, question, option in rows)
