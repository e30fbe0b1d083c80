"""Hostile XLSForms (issue 8): random bytes, the sample form cut short, its rows with a
hostile cell, a column dropped or added, rows duplicated or removed, another extension.

`wave_create_from_xlsform` either creates the wave or raises DefinitionError whose every
problem has a message and, when it is about a place in the workbook, its sheet (and row);
a refused form leaves the database as it was. The question bank is kept from one example to
the next, so that a form may also clash with the questions created by an earlier one.
"""

import itertools

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from alliances.observatory.models import Option, Question, Survey, Wave, WaveQuestion
from alliances.observatory.services import DefinitionError, survey_create
from alliances.observatory.tests.xlsforms import (
    SAMPLE_SETTINGS,
    build_xlsform,
    sample_choices_rows,
    sample_survey_rows,
    sample_xlsform_bytes,
)
from alliances.observatory.xlsform import wave_create_from_xlsform
from alliances.territories.tests.test_fuzz_cog import FUZZ, _xlsx_cell, cells

SAMPLE = sample_xlsform_bytes()
XLSFORM_CELLS = st.one_of(cells, st.sampled_from([
    "begin repeat", "end repeat", "begin group", "end group", "select_one nowhere",
    "select_one regions or_other", "select_multiple", "select_one_from_file a.csv",
    "geopoint", "range", "integer", "decimal", "calculate", "note", "likert", "yes", "no",
    ". > 3 and . < 2", "${q4} = 'oui'", "${nowhere}", "start=1 end=0 step=0", "q4", "q 4",
    "x" * 70, "label::English (en)", "relevant", "choice_filter",
]), st.integers(-10, 10), st.floats(allow_nan=True, allow_infinity=True))
labels = itertools.count(1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def survey(analyste) -> Survey:
    return survey_create(slug="maires", title="Baromètre des maires", population="maires",
                         owner=analyste)


@st.composite
def sheet_rows(draw, rows: list[dict]) -> list[dict]:
    """The rows with a few mutations: a hostile cell, a column dropped or added, a row
    duplicated or removed."""
    rows = [dict(row) for row in rows]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    for _ in range(draw(st.integers(0, 4))):
        mutation = draw(st.sampled_from(["cell", "cell", "drop", "add", "duplicate", "remove"]))
        if not rows:
            break
        if mutation == "cell":
            row = draw(st.sampled_from(rows))
            row[draw(st.sampled_from([*columns, "constraint", "relevant"]))] = draw(XLSFORM_CELLS)
        elif mutation == "drop":
            column = draw(st.sampled_from(columns))
            for row in rows:
                row.pop(column, None)
        elif mutation == "add":
            name = draw(st.sampled_from(["extra", "appearance", "required", "parameters"]))
            for row in rows:
                row[name] = draw(XLSFORM_CELLS)
        elif mutation == "duplicate":
            index = draw(st.integers(0, len(rows) - 1))
            rows.insert(draw(st.integers(0, len(rows))), dict(rows[index]))
        else:
            rows.pop(draw(st.integers(0, len(rows) - 1)))
    return [{key: _cell(value) for key, value in row.items()} for row in rows]


def _cell(value):
    return _xlsx_cell(value) if isinstance(value, str) else value


@st.composite
def forms(draw) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["random", "truncated", "rows", "rows", "rows", "rows"]))
    name = draw(st.sampled_from(["form.xlsx"] * 8 + ["form.xls", "form.csv", "form"]))
    if kind == "random":
        return draw(st.binary(max_size=400)), name
    if kind == "truncated":
        return SAMPLE[: draw(st.integers(0, len(SAMPLE)))], name
    settings = SAMPLE_SETTINGS if draw(st.booleans()) else None
    data = build_xlsform(None, draw(sheet_rows(sample_survey_rows())),
                         draw(sheet_rows(sample_choices_rows())), settings)
    return data, name


def snapshot() -> tuple:
    return (
        sorted(Wave.objects.values_list("pk", "label")),
        sorted(Question.objects.values_list("code", "kind", "label")),
        sorted(Option.objects.values_list("question__code", "code", "label")),
        WaveQuestion.objects.count(),
    )


@FUZZ
@given(form=forms(), attributes=st.sampled_from([[], ["region", "taille_commune"], ["q30"]]))
def test_a_wave_from_any_xlsform_is_created_or_refused_with_located_problems(
    survey, analyste, form, attributes
):
    data, filename = form
    before = snapshot()
    try:
        wave = wave_create_from_xlsform(
            survey=survey, label=f"vague {next(labels)}", file=data, filename=filename,
            created_by=analyste, attributes=attributes,
        )
    except DefinitionError as error:
        event("refused")
        assert error.errors
        for problem in error.errors:
            assert problem.message.strip()
            assert problem.sheet or problem.row is None, problem
            assert str(problem).endswith(problem.message)
        assert snapshot() == before
    else:
        event("created")
        assert wave.questions.exists()
