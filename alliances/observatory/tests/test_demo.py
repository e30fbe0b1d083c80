"""The observatory's demo: it loads on an empty database, a second run adds nothing, and its
published waves have figures through the analysis engine."""

import math
import time

import pytest
from django.core.management import call_command

from alliances.accounts.models import User
from alliances.observatory import analysis, dataset
from alliances.observatory.demo import (
    ANSWERED,
    ASSOCIATIONS,
    INVITED,
    LOCAL,
    MAIRES,
    OPEN_ANSWERS,
    REGIONS,
    maires_margins,
    observatory_demo,
    quota,
)
from alliances.observatory.models import (
    Invitation,
    Option,
    Question,
    ResponseBatch,
    Survey,
    Wave,
    WaveQuestion,
    WebResponse,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """The imported files are kept as the batches' sources: out of var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(analyste):
    dataset.clear_cache()
    observatory_demo(owner=analyste)
    return analyste


def counts() -> dict[str, int]:
    models = (Survey, Wave, Question, Option, WaveQuestion, ResponseBatch, Invitation,
              WebResponse)
    return {model.__name__: model.objects.count() for model in models}


def results(survey: str, label: str, code: str, **kwargs) -> analysis.Results:
    wave = Wave.objects.get(survey__slug=survey, label=label)
    return analysis.question_results(dataset.wave_data(wave), code, **kwargs)


def test_the_demo_loads_on_an_empty_database_and_quickly(analyste):
    assert not Survey.objects.exists()
    start = time.perf_counter()
    observatory_demo(owner=analyste)
    elapsed = time.perf_counter() - start
    assert elapsed < 5, f"the demo took {elapsed:.1f} s"  # 0.7 s here: `serve` runs it

    maires, associations, local = (Survey.objects.get(slug=s) for s in (MAIRES, ASSOCIATIONS,
                                                                          LOCAL))
    assert (maires.population, maires.scope) == ("maires", "national")
    assert (associations.population, associations.scope) == ("associations", "national")
    assert (local.population, local.scope, local.region_id) == ("associations", "local", "53")
    assert {s.owner for s in (maires, associations, local)} == {analyste}

    waves = {(w.survey.slug, w.label): w for w in Wave.objects.select_related("survey")}
    published = {key: w for key, w in waves.items() if w.status == Wave.Status.PUBLIEE}
    assert set(published) == {(MAIRES, "2023"), (MAIRES, "2024"), (ASSOCIATIONS, "2024"),
                              (LOCAL, "2024")}
    assert all(w.published_at for w in published.values())
    sizes = {key: dataset.wave_data(w).n for key, w in published.items()}
    assert sizes == {(MAIRES, "2023"): 302, (MAIRES, "2024"): 298, (ASSOCIATIONS, "2024"): 1200,
                     (LOCAL, "2024"): 264}
    # Every file went through the importer, whole.
    batches = ResponseBatch.objects.all()
    assert batches.count() == 4
    assert {b.status for b in batches} == {ResponseBatch.Status.DONE}
    assert all(b.rows_imported == b.rows_total and b.rows_rejected == 0 for b in batches)
    # The three ways of weighting, one a survey.
    sources = {key: dataset.wave_data(w).weight_source for key, w in published.items()}
    assert sources == {(MAIRES, "2023"): Wave.WeightSource.RAKED,
                       (MAIRES, "2024"): Wave.WeightSource.RAKED,
                       (ASSOCIATIONS, "2024"): Wave.WeightSource.IMPORTED,
                       (LOCAL, "2024"): Wave.WeightSource.NONE}
    for label in ("2023", "2024"):
        report = published[(MAIRES, label)].rake_report
        assert report["converged"] and report["max_margin_error"] < 1e-6
        assert report["after"]["efficiency"] < 1  # the quota sample needed correcting

    [collecting] = [w for w in waves.values() if w.status == Wave.Status.COLLECTE]
    assert collecting.survey == local and collecting.open_link
    assert collecting.invitations.count() == len(INVITED)
    responses = collecting.web_responses
    assert responses.filter(status=WebResponse.Status.SUBMITTED).count() == ANSWERED + OPEN_ANSWERS
    assert responses.filter(status=WebResponse.Status.DRAFT).count() == 1
    assert responses.filter(invitation__isnull=True).count() == OPEN_ANSWERS
    assert dataset.wave_data(collecting).n == ANSWERED + OPEN_ANSWERS


def test_a_second_run_adds_nothing(demo):
    before = counts()
    versions = dict(Wave.objects.values_list("pk", "data_version"))
    observatory_demo(owner=demo)
    assert counts() == before
    assert dict(Wave.objects.values_list("pk", "data_version")) == versions


def test_a_second_run_completes_a_partial_demo(demo):
    """Waves that went missing (deleted by an analyst) come back; the rest stays."""
    Wave.objects.filter(survey__slug=MAIRES, label="2024").delete()
    kept = set(Wave.objects.values_list("pk", flat=True))
    observatory_demo(owner=demo)
    assert kept < set(Wave.objects.values_list("pk", flat=True))
    assert Wave.objects.get(survey__slug=MAIRES, label="2024").status == Wave.Status.PUBLIEE


def test_the_published_waves_have_figures(demo):
    for survey, label in ((MAIRES, "2023"), (MAIRES, "2024"), (ASSOCIATIONS, "2024"),
                          (LOCAL, "2024")):
        [group] = results(survey, label, "q4").groups
        assert group.n > 250 and not group.too_small
        assert math.fsum(o.share for o in group.options) == pytest.approx(1.0)
        assert all(0 < o.share < 0.6 and 0 < o.se < 0.05 for o in group.options)

    # The mayors' raked weights reach the communes' margins.
    margins = maires_margins()
    for code in ("region", "taille_commune"):
        [group] = results(MAIRES, "2024", code).groups
        for option in group.options:
            assert option.share == pytest.approx(margins[code][option.code], abs=1e-6)
    # Every size band of the mayors' samples is large enough to be shown.
    by_size = results(MAIRES, "2024", "q4", by=["taille_commune"]).public()
    assert len(by_size.groups) == 4 and not any(g.too_small for g in by_size.groups)
    # Larger communes see more co-construction (« oui » answers).
    yes = [sum(o.share for o in g.options[:2]) for g in by_size.groups]
    assert yes[-1] > yes[0]
    # Every région of the associations' barometer too (quotas of at least 30).
    by_region = results(ASSOCIATIONS, "2024", "q4", by=["region"]).public()
    assert [g.key["region"] for g in by_region.groups] == [r[0] for r in REGIONS]
    assert all(g.n >= 30 and g.options[0].share is not None for g in by_region.groups)
    # Multiple choice: shares of respondents, which add up above 100 %.
    [partners] = results(MAIRES, "2024", "q14").groups
    assert 200 < partners.n < 298  # some did not answer: outside the base
    assert sum(o.share for o in partners.options) > 1
    [relations] = results(ASSOCIATIONS, "2024", "q15", filters={"salaries": ["10_plus"]}).groups
    assert relations.n > 50 and all(0 <= o.share <= 1 for o in relations.options)
    # Numbers: the weighted mean with its CI.
    [count] = results(MAIRES, "2023", "q20").groups
    assert 0.5 < count.mean.value < 5 and count.mean.ci_low < count.mean.value
    [volunteers] = results(LOCAL, "2024", "q21", by=["departement"]).groups[:1]
    assert volunteers.key == {"departement": "22"} and volunteers.mean.value > 5


def test_q4_moves_between_the_mayors_waves(demo):
    points = [(w.pk, w.label, dataset.wave_data(w))
              for w in Wave.objects.filter(survey__slug=MAIRES).order_by("label")]
    series = analysis.evolution(points, "q4")
    assert [p.wave_label for p in series] == ["2023", "2024"]
    assert series[0].change is None
    change = series[1].change
    assert set(change) == {"oui_tout_a_fait", "oui_plutot", "non_plutot_pas",
                           "non_pas_du_tout", "nsp"}
    moves = [diff for diff, _p in change.values()]
    assert all(diff is not None and abs(diff) < 0.15 for diff in moves)
    assert all(0 <= p <= 1 for _diff, p in change.values())


def test_the_local_observatory_asks_the_national_codes(demo):
    national = set(WaveQuestion.objects.filter(wave__survey__slug=ASSOCIATIONS)
                   .values_list("question__code", flat=True))
    local = set(WaveQuestion.objects.filter(wave__survey__slug=LOCAL, wave__label="2024")
                .values_list("question__code", flat=True))
    assert {"q4", "q15", "q21", "q31", "secteur", "salaries"} <= national & local
    # The same option codes, so that the figures compare option by option.
    assert (results(LOCAL, "2024", "q15").question.options
            == results(ASSOCIATIONS, "2024", "q15").question.options)
    # q4 is the mayors' question too.
    assert Question.objects.filter(code="q4").count() == 1


def test_quotas_sum_to_the_sample_and_respect_the_minimum():
    assert quota(300, [0.5, 0.3, 0.2]) == [150, 90, 60]
    counts_ = quota(302, [r[2] for r in REGIONS], minimum=8)
    assert sum(counts_) == 302 and min(counts_) >= 8


@pytest.mark.usefixtures("_media")
def test_the_platform_demo_loads_the_observatory(db):
    call_command("demo")
    analyste = User.objects.get(email="analyste@alliances.localhost")
    assert set(Survey.objects.values_list("slug", "owner")) == {
        (MAIRES, analyste.pk), (ASSOCIATIONS, analyste.pk), (LOCAL, analyste.pk)}
    assert Wave.objects.filter(status=Wave.Status.PUBLIEE).count() == 4
