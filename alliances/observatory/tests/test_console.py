"""The analyst's console through HTTP: surveys, waves from an XLSForm, response imports
followed by their fragment, status transitions, raking, invitations and the open link; each
refused input comes back located with nothing written; the list and wave pages' query
counts are locked.

Texts are asserted in English (Accept-Language: en) where a test reads a message, so that
they pass whatever the state of the French catalogue; `test_console_french.py` reads the
French ones.
"""

import csv
import io
import re

import pytest
from django.urls import reverse

from alliances.observatory import dataset
from alliances.observatory.models import (
    Invitation,
    Question,
    ResponseBatch,
    Survey,
    Wave,
    WaveQuestion,
)
from alliances.observatory.services import survey_create, wave_publish
from alliances.observatory.testing import make_wave
from alliances.observatory.tests.xlsforms import (
    FR,
    build_xlsform,
    sample_choices_rows,
    sample_survey_rows,
    sample_xlsform_bytes,
)
from alliances.territories.models import Region

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def owner(client, analyste):
    client.force_login(analyste)
    return analyste


@pytest.fixture
def survey(analyste) -> Survey:
    return survey_create(slug="barometre-maires", title="Baromètre des maires",
                         population="maires", owner=analyste)


def _upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# -- surveys --------------------------------------------------------------------------------


def test_an_analyst_creates_a_national_then_a_local_survey(client, owner):
    response = client.post(reverse("observatory:console"), {
        "slug": "barometre-maires", "title": "Baromètre des maires", "population": "maires",
        "scope": "national", "region": "84",  # dropped: a national survey has no territory
    })
    assert response.status_code == 302
    survey = Survey.objects.get(slug="barometre-maires")
    assert response["Location"] == reverse("observatory:console_survey", args=[survey.slug])
    assert survey.owner == owner and survey.region is None
    client.post(reverse("observatory:console"), {
        "slug": "vie-asso-bretagne", "title": "Observatoire de la vie associative",
        "population": "associations", "scope": "local", "region": "53",
    })
    local = Survey.objects.get(slug="vie-asso-bretagne")
    assert local.scope == "local" and local.region == Region.objects.get(code="53")
    page = client.get(reverse("observatory:console"))
    assert 'data-survey="barometre-maires"' in page.content.decode()
    assert "Bretagne" in page.content.decode()


@pytest.mark.parametrize("data,field", [
    ({"scope": "local"}, "region"),
    ({"slug": "barometre-maires"}, "slug"),  # taken
    ({"slug": "pas un slug"}, "slug"),
    ({"population": "martiens"}, "population"),
    ({"title": ""}, "title"),
])
def test_a_bad_survey_is_refused_on_its_field(client, owner, survey, data, field):
    base = {"slug": "autre", "title": "Autre", "population": "maires", "scope": "national"}
    response = client.post(reverse("observatory:console"), {**base, **data}, **EN)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert Survey.objects.count() == 1


# -- waves from an XLSForm ------------------------------------------------------------------


def _wave_post(client, survey, content: bytes, **data):
    fields = {"label": "2025", "field_start": "2025-03-01", "field_end": "2025-04-15",
              "attributes": "region, taille_commune", **data}
    return client.post(reverse("observatory:console_survey", args=[survey.slug]),
                       {**fields, "xlsform": _upload("barometre.xlsx", content)}, **EN)


def test_a_wave_is_created_from_an_xlsform(client, owner, survey):
    response = _wave_post(client, survey, sample_xlsform_bytes())
    wave = Wave.objects.get(survey=survey)
    assert response.status_code == 302
    assert response["Location"] == reverse("observatory:console_wave", args=[wave.pk])
    assert str(wave.field_start) == "2025-03-01" and wave.xlsform
    codes = list(wave.questions.values_list("question__code", "is_attribute"))
    assert codes == [("region", True), ("taille_commune", True), ("q4", False),
                     ("q14", False), ("q20", False), ("q30", False)]
    page = _text(client.get(response["Location"], **EN))
    assert 'data-code="q14"' in page and "Des fondations" in page
    assert reverse("observatory:dashboard", args=[wave.pk]) in page
    # The form as uploaded, downloadable.
    form = client.get(reverse("observatory:console_wave_xlsform", args=[wave.pk]))
    assert form["Content-Disposition"].startswith("attachment")
    survey_page = client.get(reverse("observatory:console_survey", args=[survey.slug]))
    assert f'data-wave="{wave.pk}"' in survey_page.content.decode()


def test_a_bad_xlsform_is_refused_located_and_nothing_is_created(client, owner, survey):
    rows = sample_survey_rows()
    rows.append({"type": "select_one dynamique", "name": "q4", FR: "Encore q4 ?"})  # row 15
    rows.append({"type": "geopoint", "name": "lieu", FR: "Où ?"})
    content = build_xlsform(None, rows, sample_choices_rows())
    questions = Question.objects.count()
    response = _wave_post(client, survey, content)
    assert response.status_code == 400
    errors = response.context["errors"]
    assert errors and all(e.startswith("Sheet survey, line") for e in errors), errors
    assert any("line 15" in e and "q4" in e for e in errors), errors
    assert Wave.objects.count() == 0 and Question.objects.count() == questions
    assert "definition-errors" in response.content.decode()


def test_a_file_that_is_no_xlsform_is_refused(client, owner, survey):
    response = _wave_post(client, survey, b"region,q4\n11,oui\n")
    assert response.status_code == 400
    assert len(response.context["errors"]) == 1
    assert Wave.objects.count() == 0


@pytest.mark.parametrize("data,field", [
    ({"field_start": "2025-05-01", "field_end": "2025-04-01"}, "field_end"),
    ({"label": ""}, "label"),
])
def test_a_bad_wave_form_is_refused_on_its_field(client, owner, survey, data, field):
    response = _wave_post(client, survey, sample_xlsform_bytes(), **data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert Wave.objects.count() == 0


def test_an_attribute_that_is_no_single_choice_is_refused(client, owner, survey):
    response = _wave_post(client, survey, sample_xlsform_bytes(), attributes="region, q20, q99")
    assert response.status_code == 400
    errors = " | ".join(response.context["errors"])
    assert "q20" in errors and "q99" in errors
    assert Wave.objects.count() == 0


# -- imports --------------------------------------------------------------------------------


def _responses_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _good_rows(n: int) -> list[dict]:
    regions, sizes = ("11", "84", "53"), ("moins_1000", "1000_plus")
    return [{"region": regions[i % 3], "taille_commune": sizes[i % 2],
             "q4": ("oui", "non", "nsp")[i % 3], "q14": "asso ecoles" if i % 2 else "",
             "q20": str(i % 7), "poids": f"{1 + (i % 4) / 4}"} for i in range(n)]


def _import(client, wave, content: bytes, capture, **data):
    with capture(execute=True):
        return client.post(
            reverse("observatory:console_import", args=[wave.pk]),
            {"file": _upload("reponses.csv", content), "weight_column": "poids", **data}, **EN,
        )


def test_an_import_runs_in_the_background_and_its_batch_shows_the_rows(
    client, owner, django_capture_on_commit_callbacks
):
    wave = make_wave(owner, n=40)
    response = _import(client, wave, _responses_csv(_good_rows(90)),
                       django_capture_on_commit_callbacks)
    batch = ResponseBatch.objects.filter(wave=wave).latest("id")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#batch-{batch.pk}")
    assert batch.status == ResponseBatch.Status.DONE and batch.rows_imported == 90
    assert dataset.wave_data(wave).n == 130
    page = client.get(reverse("observatory:console_wave", args=[wave.pk]), **EN)
    text = _text(page)
    assert 'id="wave-respondents">130<' in text
    item = re.search(rf'<li id="batch-{batch.pk}".*?</li>\s*(?=<li id="batch|</ol>)', text)
    assert item and "hx-trigger" not in item.group(0)  # done: no more polling
    assert "90 imported" in item.group(0)


def test_a_waiting_batch_is_polled_every_second_through_its_fragment(client, owner):
    wave = make_wave(owner, n=40)
    # No on-commit capture: the task is not run, the batch waits.
    client.post(reverse("observatory:console_import", args=[wave.pk]),
                {"file": _upload("reponses.csv", _responses_csv(_good_rows(5)))})
    batch = ResponseBatch.objects.filter(wave=wave).latest("id")
    assert batch.status == ResponseBatch.Status.PENDING
    ResponseBatch.objects.filter(pk=batch.pk).update(
        status=ResponseBatch.Status.RUNNING, rows_total=5, rows_done=3)
    url = reverse("observatory:console_batch", args=[batch.pk])
    fragment = client.get(url, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text
    assert text.strip().startswith(f'<li id="batch-{batch.pk}"')
    assert f'hx-get="{url}"' in text and 'hx-trigger="every 1s"' in text
    assert re.search(r'<progress[^>]*max="5" value="3"', text)
    # Without htmx, the same fragment in a page of its own.
    assert "wave-respondents" not in text
    page = client.get(url)
    assert "<html" in page.content.decode() and f'id="batch-{batch.pk}"' in page.content.decode()
    # Once over, the fragment stops polling and brings the wave's new count out of band.
    ResponseBatch.objects.filter(pk=batch.pk).update(
        status=ResponseBatch.Status.DONE, rows_done=5, rows_imported=5)
    text = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in text
    assert '<dd id="wave-respondents" hx-swap-oob="true">45</dd>' in text


def test_a_bad_file_imports_nothing_and_its_errors_are_located(
    client, owner, django_capture_on_commit_callbacks
):
    wave = make_wave(owner, n=40)
    version = Wave.objects.get(pk=wave.pk).data_version
    rows = _good_rows(70)
    rows[4]["q4"] = "peut-etre"  # line 6 of the file (the header is line 1)
    rows[9]["poids"] = "-2"  # line 11
    _import(client, wave, _responses_csv(rows), django_capture_on_commit_callbacks)
    batch = ResponseBatch.objects.filter(wave=wave).latest("id")
    assert batch.status == ResponseBatch.Status.FAILED and batch.rows_imported == 0
    assert Wave.objects.get(pk=wave.pk).data_version == version
    assert dataset.wave_data(wave).n == 40
    fragment = client.get(reverse("observatory:console_batch", args=[batch.pk]),
                          headers={"HX-Request": "true"}, **EN)
    cells = re.findall(r"<tr><td class=\"numeric\">(\d+)</td><td>([^<]*)</td>",
                       fragment.content.decode())
    assert ("6", "q4") in cells and ("11", "poids") in cells
    assert "peut-etre" in fragment.content.decode()


def test_skipped_rows_are_set_aside_in_a_downloadable_file(
    client, owner, django_capture_on_commit_callbacks
):
    wave = make_wave(owner, n=40)
    rows = _good_rows(70)
    rows[2]["region"] = "99"
    _import(client, wave, _responses_csv(rows), django_capture_on_commit_callbacks,
            skip_bad_rows="on")
    batch = ResponseBatch.objects.filter(wave=wave).latest("id")
    assert (batch.rows_imported, batch.rows_rejected) == (69, 1)
    page = client.get(reverse("observatory:console_wave", args=[wave.pk])).content.decode()
    rejected = reverse("observatory:console_batch_rejected", args=[batch.pk])
    assert rejected in page
    download = client.get(rejected)
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "99" in body and download["Content-Disposition"].startswith("attachment")


def test_only_the_first_hundred_errors_are_listed_with_the_count_of_the_others(client, owner):
    wave = make_wave(owner, n=40)
    batch = ResponseBatch.objects.create(
        wave=wave, status=ResponseBatch.Status.FAILED, filename="x.csv", source="x.csv",
        rows_total=250, rows_done=250, created_by=owner,
        errors=[{"line": n, "column": "q4", "message": "bad"} for n in range(2, 252)],
    )
    fragment = client.get(reverse("observatory:console_batch", args=[batch.pk]),
                          headers={"HX-Request": "true"}, **EN)
    text = _text(fragment)
    assert text.count("<td>q4</td>") == 100
    assert "250 errors" in text and "150 more errors" in text


def test_the_errors_the_importer_did_not_keep_are_counted(client, owner):
    """The importer keeps the first 1,000 errors and ends the list with the count of the
    others: the total is both."""
    wave = make_wave(owner, n=40)
    kept = [{"line": n, "column": "q4", "message": "bad"} for n in range(2, 1002)]
    batch = ResponseBatch.objects.create(
        wave=wave, status=ResponseBatch.Status.FAILED, filename="x.csv", source="x.csv",
        created_by=owner, errors=[*kept, {"line": None, "column": "", "more": 5000,
                                          "message": "… and 5,000 more errors."}],
    )
    fragment = client.get(reverse("observatory:console_batch", args=[batch.pk]),
                          headers={"HX-Request": "true"}, **EN)
    text = _text(fragment)
    assert text.count("<td>q4</td>") == 100
    assert "6000 errors" in text and "5900 more errors" in text


def test_an_import_into_a_published_wave_is_refused(client, owner):
    wave = make_wave(owner, n=40)
    wave_publish(wave=wave, by=owner)
    response = client.post(reverse("observatory:console_import", args=[wave.pk]),
                           {"file": _upload("r.csv", b"region\n11\n")}, **EN)
    assert response.status_code == 409
    assert ResponseBatch.objects.filter(wave=wave).count() == 1


def test_an_import_form_without_a_csv_or_xlsx_is_refused(client, owner):
    wave = make_wave(owner, n=40)
    response = client.post(reverse("observatory:console_import", args=[wave.pk]),
                           {"file": _upload("r.pdf", b"%PDF")}, **EN)
    assert response.status_code == 400
    assert response.context["import_form"].errors["file"]
    assert ResponseBatch.objects.filter(wave=wave).count() == 1


# -- status ---------------------------------------------------------------------------------


def _status(client, wave, status):
    return client.post(reverse("observatory:console_wave_status", args=[wave.pk]),
                       {"status": status}, **EN)


def test_a_wave_goes_through_collection_to_publication_and_back(client, owner):
    wave = make_wave(owner, n=40)
    page = client.get(reverse("observatory:console_wave", args=[wave.pk]))
    assert [t for t, _label in page.context["transitions"]] == ["en_collecte", "publiee",
                                                                 "close"]
    assert _status(client, wave, "en_collecte").status_code == 302
    assert _status(client, wave, "close").status_code == 302
    assert _status(client, wave, "publiee").status_code == 302
    wave.refresh_from_db()
    assert wave.status == "publiee" and wave.published_at is not None
    page = client.get(reverse("observatory:console_wave", args=[wave.pk]), **EN)
    assert [label for _t, label in page.context["transitions"]] == ["Withdraw the publication"]
    assert _status(client, wave, "close").status_code == 302
    wave.refresh_from_db()
    assert wave.status == "close"


def test_an_illegal_transition_is_refused_with_its_reason(client, owner):
    wave = make_wave(owner, n=40)
    _status(client, wave, "en_collecte")
    response = _status(client, wave, "brouillon")
    assert response.status_code == 409
    assert "cannot go from" in response.context["status_error"]
    assert Wave.objects.get(pk=wave.pk).status == "en_collecte"
    assert _status(client, wave, "zzz").status_code == 400


def test_a_wave_without_respondents_is_not_published(client, owner, survey):
    response = _wave_post(client, survey, sample_xlsform_bytes())
    wave = Wave.objects.get(survey=survey)
    response = _status(client, wave, "publiee")
    assert response.status_code == 409
    assert "without respondents" in response.context["status_error"]
    assert Wave.objects.get(pk=wave.pk).status == "brouillon"


# -- raking ---------------------------------------------------------------------------------

MARGINS = ("variable,category,share\nregion,11,30\nregion,84,50\nregion,53,20\n"
           "taille_commune,moins_1000,70\ntaille_commune,1000_plus,30\n")


def test_raking_with_a_margins_file_shows_the_report_then_is_withdrawn(client, owner):
    wave = make_wave(owner, n=300)
    response = client.post(reverse("observatory:console_rake", args=[wave.pk]),
                           {"file": _upload("marges.csv", MARGINS.encode())})
    assert response.status_code == 302
    wave.refresh_from_db()
    assert wave.rake_report["converged"] and wave.margins["region"]["84"] == 0.5
    assert dataset.wave_data(wave).weight_source == Wave.WeightSource.RAKED
    page = client.get(reverse("observatory:console_wave", args=[wave.pk]), **EN)
    text = _text(page)
    assert "Converged in" in text and "Kish effective n" in text
    labels = [row[0] for row in page.context["report_rows"]]
    assert labels[-1] == "Efficiency (%)"
    before, after = page.context["report_rows"][0][1:]
    assert before == after == "300"
    response = client.post(reverse("observatory:console_unrake", args=[wave.pk]))
    assert response.status_code == 302
    wave.refresh_from_db()
    assert wave.margins is None and wave.rake_report is None


def test_raking_from_pasted_margins(client, owner):
    wave = make_wave(owner, n=300)
    client.post(reverse("observatory:console_rake", args=[wave.pk]), {"text": MARGINS})
    wave.refresh_from_db()
    assert wave.margins["taille_commune"] == pytest.approx({"moins_1000": 0.7,
                                                            "1000_plus": 0.3})


@pytest.mark.parametrize("text,expected", [
    ("variable,category,share\nregion,11,30\nregion,84,abc\nregion,53,,\n",
     ["Line 3, column « share »", "Line 4, column « share »"]),
    ("variable,category\nregion,11\n", ["Line 1: missing column(s): share"]),
    ("variable,category,share\nregion,11,50\nregion,zz,50\n", ["zz"]),
    ("", ["Choose a margins file or paste the margins."]),
])
def test_bad_margins_are_refused_with_their_lines_and_the_weights_kept(client, owner, text,
                                                                       expected):
    wave = make_wave(owner, n=300)
    version = Wave.objects.get(pk=wave.pk).data_version
    response = client.post(reverse("observatory:console_rake", args=[wave.pk]),
                           {"text": text}, **EN)
    assert response.status_code == 400
    shown = " | ".join(response.context["margin_errors"]
                       + response.context["margins_form"].non_field_errors())
    for piece in expected:
        assert piece in shown, shown
    wave.refresh_from_db()
    assert wave.margins is None and wave.data_version == version


# -- invitations and the open link ----------------------------------------------------------


def test_invitations_are_created_and_their_links_downloaded(client, owner):
    wave = make_wave(owner, n=40)
    url = reverse("observatory:console_invitations", args=[wave.pk])
    assert client.post(url, {"count": "3"}).status_code == 302
    assert client.post(url, {"labels": "Mairie de Die\nMairie de Crest\n\n"}).status_code == 302
    assert Invitation.objects.filter(wave=wave).count() == 5
    response = client.get(reverse("observatory:console_invitations_csv", args=[wave.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 6
    tokens = set(Invitation.objects.filter(wave=wave).values_list("token", flat=True))
    assert {row[1].rsplit("/", 2)[-2] for row in rows[1:]} == tokens
    assert rows[1][1].startswith("http://testserver/observatoire/repondre/")
    assert {row[0] for row in rows[1:]} >= {"Mairie de Die", "Mairie de Crest"}


@pytest.mark.parametrize("data", [{}, {"count": "0"}, {"count": "-1"}, {"count": "5001"}])
def test_bad_invitation_requests_create_none(client, owner, data):
    wave = make_wave(owner, n=40)
    response = client.post(reverse("observatory:console_invitations", args=[wave.pk]), data)
    assert response.status_code == 400
    assert Invitation.objects.count() == 0


def test_a_published_wave_takes_no_invitations(client, owner):
    wave = make_wave(owner, n=40)
    wave_publish(wave=wave, by=owner)
    response = client.post(reverse("observatory:console_invitations", args=[wave.pk]),
                           {"count": "2"})
    assert response.status_code == 409
    assert Invitation.objects.count() == 0


def test_the_open_link_is_shown_only_when_on(client, owner):
    wave = make_wave(owner, n=40)
    url = reverse("observatory:console_open_link", args=[wave.pk])
    link = reverse("observatory:answer_open", args=[wave.open_key])
    page = reverse("observatory:console_wave", args=[wave.pk])
    assert link not in client.get(page).content.decode()
    client.post(url, {"open": "1"})
    assert Wave.objects.get(pk=wave.pk).open_link
    assert f'href="http://testserver{link}"' in client.get(page).content.decode()
    client.post(url, {"open": "0"})
    wave.refresh_from_db()
    assert not wave.open_link and link not in client.get(page).content.decode()
    assert Wave.objects.get(pk=wave.pk).open_key == wave.open_key  # the same link if reopened


# -- query counts ---------------------------------------------------------------------------


def test_the_survey_list_reads_a_fixed_number_of_queries(client, owner, admin,
                                                         django_assert_max_num_queries):
    for n in range(4):
        survey = survey_create(slug=f"s{n}", title=f"Enquête {n}", population="maires",
                               owner=owner, scope="local", region=Region.objects.get(code="53"))
        for label in ("2024", "2025"):
            make_wave(owner, n=5, survey=survey, label=label)
    # Session, user, notifications, surveys, their waves, the form's régions and départements.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("observatory:console"))
    assert response.content.decode().count("data-survey=") == 4
    client.force_login(admin)
    with django_assert_max_num_queries(7):
        client.get(reverse("observatory:console"))
    client.force_login(owner)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("observatory:console_survey", args=["s0"]))
    assert response.content.decode().count("data-wave=") == 2
    # Each wave's 6 questions and 5 respondents (make_wave's one batch), not a product.
    assert [(w.question_count, w.respondents) for w in response.context["waves"]] == [
        (6, 5), (6, 5)]


def test_the_wave_page_reads_a_fixed_number_of_queries(client, owner,
                                                       django_assert_max_num_queries):
    wave = make_wave(owner, n=40)
    for n in range(5):
        ResponseBatch.objects.create(
            wave=wave, status=ResponseBatch.Status.FAILED, filename=f"f{n}.csv", source="f.csv",
            created_by=owner, errors=[{"line": 2, "column": "q4", "message": "x"}])
    with django_assert_max_num_queries(9):
        response = client.get(reverse("observatory:console_wave", args=[wave.pk]))
    assert response.content.decode().count('class="obs-batch"') == 6
    assert WaveQuestion.objects.filter(wave=wave).count() == len(response.context["questions"])


# -- the XLSForm's preview: attributes ticked among its single-choice questions -----------


def test_the_preview_offers_the_single_choice_questions_as_attributes(client, owner, survey):
    url = reverse("observatory:console_xlsform_preview", args=[survey.slug])
    response = client.post(url, {"attributes": "region",
                                 "xlsform": _upload("f.xlsx", sample_xlsform_bytes())},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    candidates = response.context["candidates"]
    assert [c[0] for c in candidates] == ["region", "taille_commune", "q4"]
    assert [c[2] for c in candidates] == [True, False, False]
    assert 'name="attribute_codes" value="taille_commune"' in response.content.decode()
    assert Wave.objects.count() == 0


def test_the_preview_reports_a_bad_form_at_once(client, owner, survey):
    url = reverse("observatory:console_xlsform_preview", args=[survey.slug])
    rows = [*sample_survey_rows(), {"type": "select_one absente", "name": "q5", FR: "?"}]
    response = client.post(url, {"xlsform": _upload("f.xlsx", build_xlsform(
        None, rows, sample_choices_rows()))}, **EN)
    errors = response.context["preview_errors"]
    assert errors and any("line 15" in e for e in errors), errors
    assert not response.context["candidates"]


def test_ticked_attributes_are_added_to_the_typed_ones(client, owner, survey):
    response = client.post(
        reverse("observatory:console_survey", args=[survey.slug]),
        {"label": "2025", "attributes": "region", "attribute_codes": ["taille_commune"],
         "xlsform": _upload("f.xlsx", sample_xlsform_bytes())},
    )
    assert response.status_code == 302
    wave = Wave.objects.get()
    assert set(wave.questions.filter(is_attribute=True)
               .values_list("question__code", flat=True)) == {"region", "taille_commune"}


def test_another_analyst_may_not_preview_on_someone_elses_survey(client, survey, password):
    from alliances.accounts.models import User
    from alliances.accounts.services import user_create

    other = user_create(email="a2@example.org", password=password, role=User.Role.ANALYSTE,
                        display_name="Autre")
    client.force_login(other)
    url = reverse("observatory:console_xlsform_preview", args=[survey.slug])
    response = client.post(url, {"xlsform": _upload("f.xlsx", sample_xlsform_bytes())})
    assert response.status_code == 403


def test_what_the_questionnaire_will_not_apply_is_told_after_creation(client, owner, survey):
    rows = sample_survey_rows()
    q20 = next(row for row in rows if row.get("name") == "q20")
    q20["relevant"] = "${q4} = 'oui'"
    response = client.post(
        reverse("observatory:console_survey", args=[survey.slug]),
        {"label": "2025", "attributes": "region",
         "xlsform": _upload("f.xlsx", build_xlsform(None, rows, sample_choices_rows()))},
        follow=True, **EN,
    )
    assert Wave.objects.count() == 1
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1 and warnings[0].startswith("Sheet survey, line 13, column")
    assert "relevant" in warnings[0]
