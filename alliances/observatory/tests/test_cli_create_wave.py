"""`alliances observatory create-wave`: end to end through call_command."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.observatory.models import Option, Question, Survey, Wave, WaveQuestion
from alliances.observatory.tests.xlsforms import FR, build_xlsform, sample_xlsform_bytes
from alliances.territories.models import Departement, Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def form(tmp_path):
    path = tmp_path / "barometre.xlsx"
    sample_xlsform_bytes(path)
    return path


def create_wave(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("observatory", "create-wave", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts():
    return (Survey.objects.count(), Wave.objects.count(), Question.objects.count(),
            Option.objects.count(), WaveQuestion.objects.count())


def wave_id(out: str) -> int:
    return int(re.search(r"^wave_id=(\d+)$", out, re.MULTILINE).group(1))


def test_it_creates_the_survey_and_the_wave_and_prints_the_id(admin, form):
    out, err = create_wave("--survey", "maires", "--population", "maires", "--label", "2025",
                           "--xlsform", str(form), "--attributes", "region,taille_commune")
    wave = Wave.objects.select_related("survey__owner").get()
    assert out.splitlines()[-1] == f"wave_id={wave.pk}" == f"wave_id={wave_id(out)}"
    assert f"wave {wave.pk} created: 6 questions, 2 attributes (region, taille_commune)" in out
    assert err == ""
    survey = wave.survey
    assert (survey.slug, survey.population, survey.scope, survey.owner) == (
        "maires", "maires", "national", admin)
    assert survey.title == "Baromètre des maires et des partenariats"  # the form's form_title
    assert wave.label == "2025" and wave.created_by == admin
    assert list(wave.questions.filter(is_attribute=True).values_list(
        "question__code", flat=True).order_by("position")) == ["region", "taille_commune"]
    with wave.xlsform.open("rb") as kept:
        assert kept.read() == form.read_bytes()


def test_it_reuses_an_existing_survey(analyste, form, tmp_path):
    create_wave("--survey", "maires", "--population", "maires", "--label", "2024",
                "--xlsform", str(form), "--owner", analyste.email, "--title", "Maires",
                "--field-start", "2024-03-01", "--field-end", "2024-04-30")
    out, _ = create_wave("--survey", "maires", "--label", "2025", "--xlsform", str(form))
    assert "survey maires (existing)" in out
    survey = Survey.objects.get()
    assert survey.title == "Maires" and survey.owner == analyste
    assert list(survey.waves.values_list("label", flat=True)) == ["2024", "2025"]
    first = survey.waves.get(label="2024")
    assert (str(first.field_start), str(first.field_end)) == ("2024-03-01", "2024-04-30")
    # The bank is shared: the second wave added no question.
    assert Question.objects.count() == 6 and WaveQuestion.objects.count() == 12


def test_a_local_survey_of_a_region_or_a_departement(analyste, form):
    region = Region.objects.get(code="53")
    departement = Departement.objects.get(code="35")
    create_wave("--survey", "bretagne", "--population", "associations", "--label", "2025",
                "--xlsform", str(form), "--owner", analyste.email, "--scope", "local",
                "--region", "53")
    create_wave("--survey", "ille", "--population", "associations", "--label", "2025",
                "--xlsform", str(form), "--owner", analyste.email, "--departement", "35")
    assert Survey.objects.get(slug="bretagne").territory == region
    assert Survey.objects.get(slug="ille").territory == departement
    with pytest.raises(CommandError, match="another scope"):
        create_wave("--survey", "bretagne", "--label", "2026", "--xlsform", str(form),
                    "--scope", "local", "--region", "11")
    with pytest.raises(CommandError, match="99"):
        create_wave("--survey", "autre", "--population", "maires", "--label", "2025",
                    "--xlsform", str(form), "--owner", analyste.email, "--region", "99")
    with pytest.raises(CommandError, match="--region CODE or --departement CODE"):
        create_wave("--survey", "autre", "--population", "maires", "--label", "2025",
                    "--xlsform", str(form), "--owner", analyste.email, "--scope", "local")


def test_a_wrong_population_is_refused_and_writes_nothing(admin, form):
    create_wave("--survey", "maires", "--population", "maires", "--label", "2024",
                "--xlsform", str(form))
    before = counts()
    with pytest.raises(CommandError, match="population « maires », not « associations »"):
        create_wave("--survey", "maires", "--population", "associations", "--label", "2025",
                    "--xlsform", str(form))
    assert counts() == before


def test_a_bad_form_lists_every_located_error_and_writes_nothing(admin, tmp_path):
    path = tmp_path / "FORM.xlsx"
    build_xlsform(path, [
        {"type": "text", "name": "ok", FR: "Ok"},
        {"type": "begin repeat", "name": "r", FR: "R"},
        {"type": "text", "name": "t", FR: "T"},
        {"type": "end repeat"},
        {"type": "geopoint", "name": "gps", FR: "Où ?"},
    ])
    with pytest.raises(CommandError) as caught:
        create_wave("--survey", "maires", "--population", "maires", "--label", "2025",
                    "--xlsform", str(path))
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("FORM.xlsx, survey, ") and "3" in lines[0]
    assert lines[1].startswith("FORM.xlsx, survey, ") and "6" in lines[1]
    assert counts() == (0, 0, 0, 0, 0)


def test_an_error_of_the_bank_rolls_back_the_new_survey(admin, form, tmp_path):
    create_wave("--survey", "maires", "--population", "maires", "--label", "2024",
                "--xlsform", str(form))
    before = counts()
    path = tmp_path / "autre.xlsx"
    build_xlsform(path, [{"type": "text", "name": "q20", FR: "Q20 devenue texte"}])
    with pytest.raises(CommandError, match=r"^autre\.xlsx, survey, .*q20"):
        create_wave("--survey", "associations", "--population", "associations",
                    "--label", "2025", "--xlsform", str(path))
    assert counts() == before
    with pytest.raises(CommandError, match="« q14 »"):
        create_wave("--survey", "maires2", "--population", "maires", "--label", "2025",
                    "--xlsform", str(form), "--attributes", "q14")
    assert counts() == before


def test_warnings_go_to_stderr_located(admin, tmp_path):
    path = tmp_path / "form.xlsx"
    build_xlsform(path, [{"type": "select_one on", "name": "a", FR: "A"},
                         {"type": "text", "name": "b", FR: "B", "relevant": "${a} = 'o'"}],
                  [{"list_name": "on", "name": "o", FR: "Oui"},
                   {"list_name": "on", "name": "n", FR: "Non"}])
    out, err = create_wave("--survey", "maires", "--population", "maires", "--label", "2025",
                           "--xlsform", str(path))
    assert err.startswith("warning: form.xlsx, survey, ") and "relevant" in err
    assert "wave_id=" in out and "warning" not in out


@pytest.mark.parametrize("args, message", [
    (["--survey", "neuve", "--label", "2025"], "give --population"),
    (["--survey", "neuve", "--population", "maires", "--label", "2025",
      "--owner", "nobody@example.org"], "no active user"),
    (["--survey", "neuve", "--population", "maires", "--label", "2025",
      "--owner", "participant@example.org"], "not an analyst"),
    (["--survey", "Pas un slug", "--population", "maires", "--label", "2025"], "slug"),
])
def test_bad_arguments(args, message, admin, participant, form):
    with pytest.raises(CommandError, match=message):
        create_wave(*args, "--xlsform", str(form))
    assert counts() == (0, 0, 0, 0, 0)


def test_without_an_admin_an_owner_is_needed(analyste, form):
    assert not User.objects.filter(role=User.Role.ADMIN).exists()
    with pytest.raises(CommandError, match="--owner"):
        create_wave("--survey", "maires", "--population", "maires", "--label", "2025",
                    "--xlsform", str(form))


def test_a_missing_or_unreadable_file(admin, tmp_path):
    with pytest.raises(CommandError, match="absent.xlsx"):
        create_wave("--survey", "maires", "--population", "maires", "--label", "2025",
                    "--xlsform", str(tmp_path / "absent.xlsx"))
    text = tmp_path / "reponses.xlsx"
    text.write_text("region,q4\n11,oui\n")
    with pytest.raises(CommandError, match=r"^reponses\.xlsx [^:]"):
        create_wave("--survey", "maires", "--population", "maires", "--label", "2025",
                    "--xlsform", str(text))
    assert counts() == (0, 0, 0, 0, 0)


def test_from_the_command_line_a_bad_form_exits_with_status_1(tmp_path):
    """The real command in a subprocess: the form is refused before any query, so an empty
    database will do, on either backend."""
    bad = tmp_path / "bad.xlsx"
    build_xlsform(bad, [{"type": "image", "name": "photo", FR: "Photo"}])
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="alliances.settings",
               ALLIANCES_VAR_DIR=str(tmp_path / "var"),
               DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    failed = subprocess.run(
        [sys.executable, "-m", "django", "observatory", "create-wave", "--survey", "maires",
         "--population", "maires", "--label", "2026", "--xlsform", str(bad)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert failed.stderr.startswith("CommandError: bad.xlsx, survey, ")
    assert "image" in failed.stderr and "Traceback" not in failed.stderr


@pytest.mark.django_db(transaction=True)
def test_from_the_command_line_the_wave_id_is_printed(form, tmp_path):
    """The real command in a subprocess on this test's database (PostgreSQL; an in-memory
    SQLite test database cannot be shared): status 0, the id on the last line."""
    from django.db import connection

    user_create(email="admin@example.org", password="x-long-enough-1", role=User.Role.ADMIN)
    env = _subprocess_env(connection, tmp_path)
    ok = subprocess.run(
        [sys.executable, "-m", "django", "observatory", "create-wave", "--survey", "maires",
         "--population", "maires", "--label", "2025", "--xlsform", str(form)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[-1] == f"wave_id={Wave.objects.get().pk}"


def _subprocess_env(connection, tmp_path) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="alliances.settings")
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        name = settings_dict["NAME"]
        if connection.is_in_memory_db():
            pytest.skip("the test database lives in memory: a subprocess cannot see it")
        env["DATABASE_URL"] = f"sqlite:///{name}"
    else:
        password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{settings_dict['USER']}{password}@{settings_dict['HOST']}:"
            f"{settings_dict['PORT']}/{settings_dict['NAME']}"
        )
    env["ALLIANCES_VAR_DIR"] = str(tmp_path / "var")  # its media and secret key, not ours
    return env
