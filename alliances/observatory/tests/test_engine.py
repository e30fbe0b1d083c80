"""The data set and the analysis engine on a wave made through the services."""

import numpy as np
import pytest
from django.urls import reverse

from alliances.lib.stats import estimates
from alliances.observatory import analysis, dataset
from alliances.observatory.models import Question, Wave
from alliances.observatory.services import (
    DefinitionError,
    margins_read,
    wave_create,
    wave_publish,
    wave_rake,
)
from alliances.observatory.testing import make_wave, sample_definition


def test_columns_round_trip():
    columns = dataset.Columns(
        n=3,
        single={"q4": np.array([0, -1, 2], dtype=np.int16)},
        multiple={"q14": (np.array([[1, 0, 1], [0, 0, 0], [1, 1, 1]], dtype=bool),
                          np.array([True, False, True]))},
        numbers={"q20": np.array([1.5, np.nan, 3.0])},
        texts={"q30": ["é", "", "deux mots"]},
        weights=np.array([1.0, 2.0, 0.5]),
    )
    back = dataset.unpack_columns(dataset.pack_columns(columns), texts=True)
    assert back.n == 3
    np.testing.assert_array_equal(back.single["q4"], columns.single["q4"])
    np.testing.assert_array_equal(back.multiple["q14"][0], columns.multiple["q14"][0])
    np.testing.assert_array_equal(back.multiple["q14"][1], columns.multiple["q14"][1])
    np.testing.assert_array_equal(back.numbers["q20"], columns.numbers["q20"])
    assert back.texts["q30"] == ["é", "", "deux mots"]
    np.testing.assert_array_equal(back.weights, columns.weights)


@pytest.mark.django_db
def test_results_match_the_estimators(analyste):
    wave = make_wave(analyste, n=300)
    data = dataset.wave_data(wave)
    assert data.n == 300 and data.weight_source == Wave.WeightSource.IMPORTED
    results = analysis.question_results(data, "q4", by=["region"],
                                        filters={"taille_commune": ["moins_1000"]})
    codes = data.columns.single
    expected = estimates.by_groups(codes["q4"], data.weights, 3, codes["region"], 3,
                                   domain=codes["taille_commune"] == 0)
    assert [g.key for g in results.groups] == [{"region": "11"}, {"region": "84"},
                                               {"region": "53"}]
    for g, group in enumerate(results.groups):
        assert group.n == expected.n[g]
        assert [o.share for o in group.options] == pytest.approx(list(expected.share[g]))
        assert [o.se for o in group.options] == pytest.approx(list(expected.se[g]))
    multiple = analysis.question_results(data, "q14", by=["region", "taille_commune"])
    assert len(multiple.groups) == 6
    number = analysis.question_results(data, "q20")
    assert 0 < number.groups[0].mean.value < 12


@pytest.mark.django_db
def test_unknown_codes_are_named(analyste):
    data = dataset.wave_data(make_wave(analyste, n=50))
    with pytest.raises(analysis.UnknownCode, match="q99"):
        analysis.question_results(data, "q99")
    with pytest.raises(analysis.UnknownCode, match="zz"):
        analysis.question_results(data, "q4", filters={"region": ["zz"]})
    with pytest.raises(analysis.UnknownCode, match="q14"):
        analysis.question_results(data, "q4", by=["q14"])


@pytest.mark.django_db
def test_raking_reaches_the_margins_and_is_kept(analyste):
    wave = make_wave(analyste, n=600)
    margins = margins_read("variable,category,share\nregion,11,30\nregion,84,50\nregion,53,20\n"
                           "taille_commune,moins_1000,0.7\ntaille_commune,1000_plus,0.3\n")
    report = wave_rake(wave=wave, margins=margins)
    assert report["converged"]
    data = dataset.wave_data(wave)
    assert data.weight_source == Wave.WeightSource.RAKED
    assert data.weights.sum() == pytest.approx(600)
    region = data.columns.single["region"]
    assert data.weights[region == 1].sum() / 600 == pytest.approx(0.5, abs=1e-6)
    with pytest.raises(DefinitionError, match="zz"):
        wave_rake(wave=wave, margins={"region": {"zz": 1.0}})


@pytest.mark.django_db
def test_a_code_keeps_its_kind_in_the_bank(analyste):
    wave = make_wave(analyste, n=10)
    definition = sample_definition()
    definition.questions[2] = definition.questions[2].__class__(
        "q4", "multiple", "Autre", (("a", "A"),), row=4)
    with pytest.raises(DefinitionError, match="q4") as caught:
        wave_create(survey=wave.survey, label="2025", definition=definition,
                    created_by=analyste)
    assert caught.value.errors[0].row == 4
    assert Question.objects.get(code="q4").kind == "single"
    assert wave.survey.waves.count() == 1


@pytest.mark.django_db
def test_evolution_tests_the_difference(analyste):
    first = make_wave(analyste, label="2023", n=500, seed=3)
    second = make_wave(analyste, label="2024", n=500, seed=4)
    for w in (first, second):
        wave_publish(wave=w, by=analyste)
    points = [(w.pk, w.label, dataset.wave_data(w)) for w in (first, second)]
    series = analysis.evolution(points, "q4")
    assert [p.wave_label for p in series] == ["2023", "2024"]
    assert series[0].change is None
    diff, p_value = series[1].change["oui"]
    assert 0 <= p_value <= 1
    a = series[0].results.groups[0].options[0].share
    b = series[1].results.groups[0].options[0].share
    assert diff == pytest.approx(b - a)


@pytest.mark.django_db
def test_answers_that_break_the_raking_are_kept_and_reported(analyste, client):
    from alliances.observatory.models import ResponseBatch
    from alliances.observatory.services import wave_data_changed

    wave = make_wave(analyste, n=200)
    wave_rake(wave=wave, margins={"region": {"11": 0.3, "84": 0.5, "53": 0.2}})
    questions = list(dataset.wave_questions(wave).values())
    ResponseBatch.objects.create(
        wave=wave, status=ResponseBatch.Status.DONE, filename="late.csv", created_by=analyste,
        data=dataset.pack_columns(dataset.encode_answers(questions, [{"q4": "oui"}])),
    )
    with pytest.raises(DefinitionError, match="region"):
        wave_data_changed(wave)  # an analyst's import: refused, the caller rolls back
    wave_data_changed(wave, strict=False)  # a respondent's answer: kept
    wave.refresh_from_db()
    assert "region" in wave.rake_report["error"]
    data = dataset.wave_data(wave)
    assert data.n == 201
    assert data.weight_source == Wave.WeightSource.IMPORTED
    client.force_login(analyste)
    page = client.get(reverse("observatory:console_wave", args=[wave.pk]))
    assert "region" in page.content.decode() and 'role="alert"' in page.content.decode()


@pytest.mark.django_db
def test_a_refused_publication_leaves_the_wave_as_it_was(analyste):
    from alliances.observatory.services import WaveStateError, wave_set_status, wave_unrake

    wave = make_wave(analyste, n=0)
    wave_set_status(wave=wave, status=Wave.Status.COLLECTE, by=analyste)
    with pytest.raises(WaveStateError):
        wave_publish(wave=wave, by=analyste)
    wave.refresh_from_db()
    assert wave.status == Wave.Status.COLLECTE
    published = make_wave(analyste, label="2025", n=40)
    wave_publish(wave=published, by=analyste)
    with pytest.raises(WaveStateError):
        wave_unrake(wave=published)


def test_the_raking_report_rounds_its_figures():
    from django.utils import translation

    from alliances.observatory.console_views import _report_rows

    figures = {"n": 10, "min": 0.12349, "max": 2.0, "mean": 1.0, "ratio": 16.2,
               "kish_n_eff": 8.0, "efficiency": 0.5297}
    with translation.override("en"):
        rows = dict((label, after) for label, _before, after in
                    _report_rows({"before": figures, "after": figures}))
    assert rows["Efficiency (%)"] == "53.0"
    assert rows["Smallest weight"] == "0.123"
