"""XLSForm definitions: what is read, what is reported where, and that a bad form writes
nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from alliances.observatory import xlsform
from alliances.observatory.models import Option, Question, Survey, Wave, WaveQuestion
from alliances.observatory.services import DefinitionError, LocatedError, survey_create
from alliances.observatory.testing import make_wave
from alliances.observatory.tests.xlsforms import (
    DYNAMIQUE,
    FR,
    PARTNERS,
    REGIONS,
    SIZES,
    build_xlsform,
    choices,
    sample_xlsform_bytes,
)
from alliances.observatory.xlsform import read_xlsform, wave_create_from_xlsform

YES_NO = choices("oui_non", [("oui", "Oui"), ("non", "Non")])


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def read(survey_rows, choice_rows=(), settings=None):
    return read_xlsform(build_xlsform(None, survey_rows, choice_rows, settings),
                        filename="form.xlsx")


def errors_of(survey_rows, choice_rows=(), settings=None, *, data=None,
              filename="form.xlsx") -> list[LocatedError]:
    with pytest.raises(DefinitionError) as caught:
        if data is None:
            data = build_xlsform(None, survey_rows, choice_rows, settings)
        read_xlsform(data, filename=filename)
    return caught.value.errors


def where(errors):
    return [(e.sheet, e.row, e.column) for e in errors]


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    for i, (title, rows) in enumerate(sheets.items()):
        sheet = workbook.active if i == 0 else workbook.create_sheet(title)
        sheet.title = title
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- what is read -------------------------------------------------------------------------


def test_the_sample_form_gives_its_questions_in_order():
    definition = read_xlsform(sample_xlsform_bytes(), filename="barometre.xlsx")
    assert definition.title == "Baromètre des maires et des partenariats"
    assert definition.warnings == []
    questions = {q.code: q for q in definition.questions}
    assert list(questions) == ["region", "taille_commune", "q4", "q14", "q20", "q30"]
    assert [q.kind for q in definition.questions] == [
        "single", "single", "single", "multiple", "number", "text"]
    assert questions["region"].options == REGIONS
    assert [code for code, _ in questions["region"].options] == [
        "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]
    assert questions["taille_commune"].options == SIZES
    assert questions["q4"].options == DYNAMIQUE
    assert questions["q14"].options == PARTNERS and len(PARTNERS) == 8
    assert questions["q4"].label.startswith("Votre territoire est-il porteur d'une dynamique")
    assert questions["q4"].hint.startswith("La co-construction")
    assert questions["q4"].required and not questions["q14"].required
    assert (questions["region"].group, questions["q14"].group, questions["q20"].group) == (
        "Votre commune", "Vos partenariats", "")
    # Spreadsheet rows: the header is row 1, start/end/note/begin group come first.
    assert [(q.sheet, q.row) for q in definition.questions] == [
        ("survey", 6), ("survey", 7), ("survey", 10), ("survey", 11), ("survey", 13),
        ("survey", 14)]
    assert questions["q20"].minimum is None and questions["q20"].maximum is None


def test_french_labels_are_preferred_to_the_others():
    definition = read(
        [{"type": "select_one oui_non", "name": "a", "label::English (en)": "Yes or no?",
          "label::French (fr)": "Oui ou non ?", "hint::English (en)": "Pick",
          "hint::French (fr)": "Choisir"},
         {"type": "text", "name": "b", "label::English (en)": "Comment",
          "label::fr": "Commentaire"},
         {"type": "text", "name": "c", "label::English (en)": "Remark",
          "label::Français": "Remarque"}],
        [{"list_name": "oui_non", "name": "oui", "label::English (en)": "Yes",
          "label::French (fr)": "Oui"},
         {"list_name": "oui_non", "name": "non", "label::English (en)": "No",
          "label::French (fr)": "Non"}],
    )
    a, b, c = definition.questions
    assert (a.label, a.hint, a.options) == ("Oui ou non ?", "Choisir",
                                             (("oui", "Oui"), ("non", "Non")))
    assert (b.label, c.label) == ("Commentaire", "Remarque")
    assert definition.warnings == []


def test_a_plain_label_column_is_read_and_an_english_only_one_is_a_warning():
    definition = read(
        [{"type": "integer", "name": "n", "label": "Nombre d'adhérents"},
         {"type": "text", "name": "t", "label::English (en)": "Comment"}],
    )
    n, t = definition.questions
    assert (n.label, t.label) == ("Nombre d'adhérents", "Comment")
    assert [(w.row, w.column) for w in definition.warnings
            if not w.message.startswith("pyxform")] == [(3, "label")]


def test_range_and_likert_are_scales():
    definition = read(
        [{"type": "range", "name": "note", FR: "Note", "parameters": "start=1 end=5 step=1"},
         {"type": "range", "name": "demi", FR: "Demi", "parameters": "start=0 end=2 step=0.5"},
         {"type": "range", "name": "defaut", FR: "Défaut"},
         {"type": "select_one accord", "name": "accord", FR: "D'accord ?",
          "appearance": "likert"}],
        choices("accord", [("1", "Pas du tout"), ("2", "Plutôt pas"), ("3", "Plutôt"),
                           ("4", "Tout à fait")]),
    )
    note, demi, defaut, accord = definition.questions
    assert note.kind == demi.kind == defaut.kind == accord.kind == Question.Kind.SCALE
    assert note.options == tuple((str(i), str(i)) for i in range(1, 6))
    assert (note.minimum, note.maximum) == (1, 5)
    assert [c for c, _ in demi.options] == ["0", "0.5", "1", "1.5", "2"]
    # pyxform's defaults: start=1 end=10 step=1.
    assert [c for c, _ in defaut.options] == [str(i) for i in range(1, 11)]
    assert accord.options[0] == ("1", "Pas du tout") and accord.minimum is None


def test_simple_constraints_of_numbers_are_bounds_and_others_warnings():
    definition = read([
        {"type": "integer", "name": "a", FR: "A", "constraint": ". >= 0 and . <= 100"},
        {"type": "integer", "name": "b", FR: "B", "constraint": ". > 0"},
        {"type": "decimal", "name": "c", FR: "C", "constraint": ".>=-2.5"},
        {"type": "decimal", "name": "d", FR: "D", "constraint": ". > 0"},
        {"type": "integer", "name": "e", FR: "E", "constraint": ". >= ${a}"},
    ])
    bounds = {q.code: (q.minimum, q.maximum) for q in definition.questions}
    assert bounds == {"a": (0, 100), "b": (1, None), "c": (-2.5, None), "d": (None, None),
                      "e": (None, None)}
    assert [(w.row, w.column) for w in definition.warnings] == [(5, "constraint"),
                                                                 (6, "constraint")]


def test_groups_nested_are_flattened_and_notes_and_metadata_skipped():
    definition = read([
        {"type": "start", "name": "start"},
        {"type": "today", "name": "today"},
        {"type": "deviceid", "name": "deviceid"},
        {"type": "username", "name": "username"},
        {"type": "begin group", "name": "g1", FR: "Vous"},
        {"type": "note", "name": "n1", FR: "Quelques questions sur vous."},
        {"type": "begin group", "name": "g2", FR: "Votre structure"},
        {"type": "text", "name": "nom", FR: "Nom"},
        {"type": "end group"},
        {"type": "begin_group", "name": "g3"},
        {"type": "integer", "name": "age", FR: "Âge"},
        {"type": "end_group"},
        {"type": "end group"},
        {"type": "text", "name": "fin", FR: "Fin"},
    ])
    assert [(q.code, q.group) for q in definition.questions] == [
        ("nom", "Vous — Votre structure"), ("age", "Vous — g3"), ("fin", "")]
    assert definition.warnings == []


@pytest.mark.parametrize("required, expected", [
    ("yes", True), ("TRUE", True), ("true", True), ("1", True), ("no", False), ("", False),
])
def test_required(required, expected):
    row = {"type": "text", "name": "t", FR: "T"}
    if required:
        row["required"] = required
    assert read([row]).questions[0].required is expected


def test_skip_logic_and_computed_rows_are_warnings_at_their_rows():
    definition = read([
        {"type": "select_one oui_non", "name": "a", FR: "A"},
        {"type": "text", "name": "b", FR: "B", "relevant": "${a} = 'oui'"},
        {"type": "begin group", "name": "g", FR: "G", "relevant": "${a} = 'non'"},
        {"type": "text", "name": "c", FR: "C", "required": "${a} = 'oui'"},
        {"type": "end group"},
        {"type": "calculate", "name": "calc", "calculation": "1 + 1"},
        {"type": "select_one oui_non", "name": "d", FR: "D", "constraint": ". != 'non'"},
    ], YES_NO)
    assert [q.code for q in definition.questions] == ["a", "b", "c", "d"]
    assert where(definition.warnings) == [
        ("survey", 3, "relevant"), ("survey", 4, "relevant"), ("survey", 5, "required"),
        ("survey", 7, "type"), ("survey", 8, "constraint")]
    assert not definition.questions[2].required


# -- what is refused, where -----------------------------------------------------------------


@pytest.mark.parametrize("row, column", [
    ({"type": "geopoint", "name": "x", FR: "Où ?"}, "type"),
    ({"type": "image", "name": "x", FR: "Photo"}, "type"),
    ({"type": "audio", "name": "x", FR: "Son"}, "type"),
    ({"type": "date", "name": "x", FR: "Date"}, "type"),
    ({"type": "barcode", "name": "x", FR: "Code"}, "type"),
    ({"type": "rank oui_non", "name": "x", FR: "Classez"}, "type"),
    ({"type": "select_one oui_non or_other", "name": "x", FR: "Autre ?"}, "type"),
    ({"type": "select_one oui_non", "name": "x", FR: "Filtre", "choice_filter": "x = 1"},
     "choice_filter"),
    ({"type": "select_one_from_file communes.csv", "name": "x", FR: "Commune"}, "type"),
    ({"type": "select_multiple_from_file communes.csv", "name": "x", FR: "Communes"}, "type"),
    ({"type": "frobnicate", "name": "x", FR: "?"}, "type"),
])
def test_each_unsupported_construct_is_an_error_at_its_row(row, column):
    errors = errors_of([{"type": "text", "name": "avant", FR: "Avant"}, row], YES_NO)
    assert where(errors)[0] == ("survey", 3, column)


def test_a_repeat_is_an_error_at_its_begin_row_and_its_questions_are_not_read():
    errors = errors_of([
        {"type": "text", "name": "a", FR: "A"},
        {"type": "begin repeat", "name": "enfants", FR: "Enfants"},
        {"type": "integer", "name": "age", FR: "Âge"},
        {"type": "end repeat"},
    ])
    assert where(errors) == [("survey", 3, "type")]
    assert "repeat" in errors[0].message


def test_every_problem_is_reported_at_once_in_row_order():
    errors = errors_of([
        {"type": "geopoint", "name": "gps", FR: "Où ?"},
        {"type": "select_one absente", "name": "q1", FR: "Q1"},
        {"type": "text", "name": "q-é", FR: "Nom"},
        {"type": "text", "name": "q1", FR: "Encore"},
        {"type": "integer", "name": "x" * 65, FR: "Long"},
        {"type": "text", "name": "sans_label"},
    ], YES_NO)
    assert where(errors) == [
        ("survey", 2, "type"), ("survey", 3, "type"), ("survey", 4, "name"),
        ("survey", 6, "name"), ("survey", 7, "label")]
    assert "absente" in errors[1].message
    # q1 at row 3 could not be read, so row 5's q1 is not a duplicate; XML names have no
    # length limit, so row 6 is refused by the bank's 64 characters.
    assert "64" in errors[3].message


def test_duplicate_names_are_refused_across_groups():
    errors = errors_of([
        {"type": "begin group", "name": "g1", FR: "Un"},
        {"type": "text", "name": "q1", FR: "Q1"},
        {"type": "end group"},
        {"type": "begin group", "name": "g2", FR: "Deux"},
        {"type": "text", "name": "q1", FR: "Q1 encore"},
        {"type": "end group"},
    ])
    assert where(errors) == [("survey", 6, "name")]
    assert "row 3" in errors[0].message or "ligne 3" in errors[0].message


def test_choices_sheet_errors_are_located_on_it():
    errors = errors_of(
        [{"type": "select_one l", "name": "a", FR: "A"},
         {"type": "select_multiple m", "name": "b", FR: "B"}],
        [{"list_name": "l", "name": "ok", FR: "Bien"},
         {"list_name": "l", "name": "sans_label"},
         {"list_name": "l", "name": "c" * 65, FR: "Long"},
         {"list_name": "m", "name": "un", FR: "Un"}],
    )
    assert ("choices", 3, "label") in where(errors)
    assert ("choices", 4, "name") in where(errors)


def test_pyxform_errors_are_reported_with_their_sheet_and_row():
    unmatched = errors_of([
        {"type": "text", "name": "a", FR: "A"},
        {"type": "begin group", "name": "g", FR: "G"},
        {"type": "text", "name": "b", FR: "B"},
    ])
    assert where(unmatched) == [("survey", 3, "")]
    assert unmatched[0].message.startswith("pyxform")
    duplicate_choice = errors_of(
        [{"type": "select_one l", "name": "a", FR: "A"}],
        [{"list_name": "l", "name": "x", FR: "X"}, {"list_name": "l", "name": "x", FR: "Y"}],
    )
    assert [(e.sheet, e.row) for e in duplicate_choice] == [("choices", 3)]


def test_a_select_without_a_choices_sheet():
    errors = errors_of([{"type": "select_one oui_non", "name": "a", FR: "A"}])
    assert where(errors) == [("survey", 2, "type")]
    assert "oui_non" in errors[0].message


@pytest.mark.parametrize("data, filename", [
    (b"name,label\nq1,Question\n", "form.csv"),
    (b"not a workbook at all", "form.xlsx"),
    (b"PK\x03\x04 a broken zip", "form.xlsx"),
    (b"", "form.xlsx"),
    (b"\xd0\xcf\x11\xe0 not really an old Excel file", "form.xls"),
])
def test_a_file_that_is_not_an_xlsform_is_one_clear_error(data, filename):
    errors = errors_of(None, data=data, filename=filename)
    assert len(errors) == 1 and filename in errors[0].message
    assert errors[0].row is None


def test_a_workbook_without_a_survey_sheet():
    data = workbook_bytes({"choices": [["list_name", "name", "label"], ["l", "a", "A"]],
                           "notes": [["x"]]})
    errors = errors_of(None, data=data)
    assert where(errors) == [("survey", None, "")]
    assert "survey" in errors[0].message


def test_a_first_sheet_without_a_type_column():
    data = workbook_bytes({"Feuil1": [["code", "question"], ["q1", "Votre avis ?"]]})
    assert where(errors_of(None, data=data)) == [("survey", 1, "")]


def test_an_empty_survey_sheet():
    data = workbook_bytes({"survey": [["type", "name", "label"]]})
    assert [e.sheet for e in errors_of(None, data=data)] == ["survey"]


def test_a_form_of_notes_only_has_no_question():
    errors = errors_of([{"type": "note", "name": "n", FR: "Bonjour"}])
    assert where(errors) == [("survey", None, "")]


def test_the_upload_size_is_checked_before_reading(tmp_path):
    big = b"PK" + b"\0" * xlsform.MAX_BYTES
    errors = errors_of(None, data=big)
    assert len(errors) == 1 and "form.xlsx" in errors[0].message
    path = tmp_path / "big.xlsx"
    path.write_bytes(big)
    with pytest.raises(DefinitionError, match="big.xlsx .* 5 M"):
        read_xlsform(path, filename="big.xlsx")
    with pytest.raises(DefinitionError, match="big.xlsx .* 5 M"):
        read_xlsform(io.BytesIO(big), filename="big.xlsx")


def test_a_path_and_a_file_object_read_the_same(tmp_path):
    path = tmp_path / "form.xlsx"
    sample_xlsform_bytes(path)
    with path.open("rb") as handle:
        from_file = read_xlsform(handle, filename="form.xlsx")
    assert read_xlsform(path, filename="form.xlsx") == from_file
    assert len(from_file.questions) == 6


# -- creating a wave ------------------------------------------------------------------------


def counts():
    return (Survey.objects.count(), Wave.objects.count(), Question.objects.count(),
            Option.objects.count(), WaveQuestion.objects.count())


@pytest.fixture
def survey(analyste):
    return survey_create(slug="maires", title="Baromètre des maires", population="maires",
                         owner=analyste)


@pytest.mark.django_db
def test_a_wave_from_the_sample_form(survey, analyste):
    data = sample_xlsform_bytes()
    wave = wave_create_from_xlsform(
        survey=survey, label="2025", file=io.BytesIO(data), filename="barometre.xlsx",
        created_by=analyste, attributes=["region", "taille_commune"],
    )
    asked = list(wave.questions.select_related("question").order_by("position"))
    assert [(q.question.code, q.question.kind, q.is_attribute) for q in asked] == [
        ("region", "single", True), ("taille_commune", "single", True),
        ("q4", "single", False), ("q14", "multiple", False), ("q20", "number", False),
        ("q30", "text", False)]
    assert asked[0].option_codes == [code for code, _ in REGIONS]
    assert asked[0].group == "Votre commune" and asked[2].required
    assert dict(Option.objects.filter(question__code="q14").values_list("code", "label")) \
        == dict(PARTNERS)
    with wave.xlsform.open("rb") as kept:
        assert kept.read() == data
    assert wave.xlsform.name.endswith(".xlsx")
    assert wave.xlsform_warnings == []


@pytest.mark.django_db
def test_a_second_wave_reuses_the_bank_and_adds_new_options(survey, analyste):
    wave_create_from_xlsform(survey=survey, label="2024", file=sample_xlsform_bytes(),
                             filename="f.xlsx", created_by=analyste)
    questions = Question.objects.count()
    form = build_xlsform(None, [{"type": "select_one dynamique", "name": "q4", FR: "Q4 ?"}],
                         choices("dynamique", [*DYNAMIQUE, ("nsp", "Ne sait pas")]))
    wave = wave_create_from_xlsform(survey=survey, label="2025", file=form, filename="f.xlsx",
                                    created_by=analyste)
    assert Question.objects.count() == questions
    assert wave.questions.get().option_codes == [c for c, _ in DYNAMIQUE] + ["nsp"]
    assert Option.objects.filter(question__code="q4").count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["bad_form", "kind_in_bank", "bad_attribute", "same_label"])
def test_a_bad_definition_writes_nothing(case, survey, analyste):
    make_wave(analyste, slug="autre", label="2023", n=5)  # q20 is a number in the bank
    before = counts()
    attributes = ["region"]
    form = sample_xlsform_bytes()
    label = "2025"
    if case == "bad_form":
        form = build_xlsform(None, [{"type": "text", "name": "ok", FR: "Ok"},
                                    {"type": "geopoint", "name": "gps", FR: "Où ?"}])
        attributes = []
    elif case == "kind_in_bank":
        form = build_xlsform(None, [{"type": "text", "name": "nouvelle", FR: "Nouvelle"},
                                    {"type": "text", "name": "q20", FR: "Q20 en texte"}])
        attributes = []
    elif case == "bad_attribute":
        attributes = ["q14"]
    else:
        wave_create_from_xlsform(survey=survey, label="2025", file=form, filename="f.xlsx",
                                 created_by=analyste)
        before = counts()
    with pytest.raises(DefinitionError) as caught:
        wave_create_from_xlsform(survey=survey, label=label, file=form, filename="f.xlsx",
                                 created_by=analyste, attributes=attributes)
    assert counts() == before
    first = caught.value.errors[0]
    expected = {"bad_form": ("survey", 3), "kind_in_bank": ("survey", 3),
                "bad_attribute": ("survey", 11), "same_label": ("", None)}[case]
    assert (first.sheet, first.row) == expected
    assert not Question.objects.filter(code="nouvelle").exists()


def test_a_column_given_twice_is_pyxforms_error_not_a_damaged_file():
    data = workbook_bytes({"survey": [["type", "name", "label", "label"],
                                      ["text", "a", "A", "A encore"]]})
    errors = errors_of(None, data=data)
    assert len(errors) == 1
    assert errors[0].message.startswith("pyxform") and "label" in errors[0].message


def test_the_committed_demo_form_is_the_sample_form():
    """alliances/observatory/demo/barometre_maires.xlsx, the README's example of create-wave,
    is `sample_xlsform_bytes()` written out: regenerate it if the sample changes."""
    committed = Path(xlsform.__file__).parent / "demo" / "barometre_maires.xlsx"
    assert read_xlsform(committed, filename=committed.name) == read_xlsform(
        sample_xlsform_bytes(), filename="sample.xlsx")


def test_the_sample_form_is_a_valid_xlsform_for_odk_and_kobo():
    from pyxform.xls2xform import convert

    result = convert(xlsform=sample_xlsform_bytes(), file_type=".xlsx")
    assert result.warnings == []
    assert "<name>plutot_oui</name>" in result.xform
    assert 'nodeset="/data/partenariats/q14"' in result.xform


def test_a_reference_to_an_unknown_question_is_pyxforms_error_at_its_row():
    errors = errors_of([{"type": "text", "name": "a", FR: "A"},
                        {"type": "text", "name": "b", FR: "B", "relevant": "${zz} = 'x'"}])
    assert where(errors) == [("survey", 3, "")]
    assert "zz" in errors[0].message


def test_messages_are_in_french():
    """Needs the French catalogue with /tmp/lead/xlsform.po merged and compiled."""
    errors = errors_of([{"type": "geopoint", "name": "gps", FR: "Où ?"},
                        {"type": "select_one absente", "name": "q1", FR: "Q1"}])
    assert [e.message for e in errors] == [
        "le type « geopoint » n'est pas pris en charge : les types pris en charge sont "
        "select_one, select_multiple, integer, decimal, text et range",
        "la liste « absente » n'est pas dans la feuille « choices »",
    ]
    warnings = read([{"type": "text", "name": "a", FR: "A", "relevant": "1 = 1"}]).warnings
    assert [w.message for w in warnings] == [
        "la condition « relevant » n'est pas appliquée : la question est posée à tous les "
        "répondants"]
