"""`alliances observatory import`: messages, exit status, the rejected rows file, progress."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.utils import translation

from alliances.observatory import dataset, imports
from alliances.observatory.models import ResponseBatch
from alliances.observatory.services import wave_publish
from alliances.observatory.testing import make_wave

GOOD = "region,q4,q14,poids\n11,oui,asso,1.5\n84,non,,2\n53,nsp,ecoles asso,1\n"


@pytest.fixture(autouse=True)
def _media_and_language(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    dataset.clear_cache()
    with translation.override("en"):
        yield


def observatory(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("observatory", "import", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_it_imports_a_file(analyste, tmp_path):
    wave = make_wave(analyste, n=30)
    path = tmp_path / "reponses.csv"
    path.write_text(GOOD)
    out, err = observatory("--wave", wave.pk, path, "--weight", "poids")
    assert out == f"wave {wave.pk}: 3 rows imported, 0 rejected\n"
    batch = wave.batches.latest("id")
    assert batch.status == ResponseBatch.Status.DONE and batch.filename == "reponses.csv"
    assert batch.created_by == analyste  # the survey's owner
    wave.refresh_from_db()
    assert dataset.wave_data(wave).n == 33
    assert not (tmp_path / "reponses.rejected.csv").exists()


@pytest.mark.django_db
def test_bad_rows_are_printed_located_and_nothing_is_imported(analyste, tmp_path):
    wave = make_wave(analyste, n=30)
    path = tmp_path / "reponses.csv"
    path.write_text("region,q4\n11,oui\n11,peut-être\n99,oui\n")
    with pytest.raises(CommandError) as failure:
        observatory("--wave", wave.pk, path)
    assert failure.value.returncode == 1
    assert str(failure.value) == (
        f"wave {wave.pk}: nothing imported: 2 bad rows (batch {wave.batches.latest('id').pk})")
    wave.refresh_from_db()
    assert dataset.wave_data(wave).n == 30


@pytest.mark.django_db
def test_located_errors_go_to_stderr_fifty_at_most(analyste, tmp_path):
    wave = make_wave(analyste, n=30)
    path = tmp_path / "reponses.csv"
    path.write_text("region,q4\n" + "11,zz\n" * 1200)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("observatory", "import", "--wave", str(wave.pk), str(path),
                     stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0] == (f"{path}, line 2, column q4: « zz » is not an option of q4 "
                        "(expected one of: oui, non, nsp).")
    assert lines[49].startswith(f"{path}, line 51, column q4: ")
    assert lines[50] == "… and 1,150 more"
    assert len(lines) == 51


@pytest.mark.django_db
def test_a_bad_header_is_printed(analyste, tmp_path):
    wave = make_wave(analyste, n=30)
    path = tmp_path / "reponses.csv"
    path.write_text("region,q44\n11,oui\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing imported \\(batch "):
        call_command("observatory", "import", "--wave", str(wave.pk), str(path),
                     stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith(f"{path}, line 1, column q44: « q44 » is not a question")


@pytest.mark.django_db
def test_skip_bad_rows_writes_the_rejected_file_beside_the_input(analyste, tmp_path):
    wave = make_wave(analyste, n=30)
    path = tmp_path / "reponses.csv"
    path.write_text("region,q4\n11,oui\n11,peut-être\n84,non\n")
    out, err = observatory("--wave", wave.pk, path, "--skip-bad-rows")
    rejected = tmp_path / "reponses.rejected.csv"
    assert out == f"wave {wave.pk}: 2 rows imported, 1 rejected → {rejected}\n"
    assert "line 3, column q4: « peut-être »" in err
    assert list(csv.reader(io.StringIO(rejected.read_text(encoding="utf-8-sig")))) == [
        ["region", "q4", "erreurs"],
        ["11", "peut-être", "line 3: q4: « peut-être » is not an option of q4 (expected one "
                            "of: oui, non, nsp)."],
    ]


@pytest.mark.django_db
def test_rejected_rows_go_where_asked(analyste, tmp_path):
    wave = make_wave(analyste, n=30)
    path = tmp_path / "reponses.csv"
    path.write_text("region;q4\n11;oui\n99;non\n")
    target = tmp_path / "out" / "rejets.csv"
    target.parent.mkdir()
    out, _err = observatory("--wave", wave.pk, path, "--skip-bad-rows", "--rejected", target)
    assert out.endswith(f"1 rejected → {target}\n")
    assert target.read_text(encoding="utf-8-sig").splitlines()[1].startswith("99;non;")


@pytest.mark.django_db
def test_unknown_wave_missing_file_published_wave(analyste, tmp_path):
    with pytest.raises(CommandError, match="no wave 999"):
        observatory("--wave", 999, tmp_path / "x.csv")
    wave = make_wave(analyste, n=40)
    with pytest.raises(CommandError, match="x.csv: No such file or directory"):
        observatory("--wave", wave.pk, tmp_path / "x.csv")
    wave_publish(wave=wave, by=analyste)
    path = tmp_path / "reponses.csv"
    path.write_text(GOOD)
    with pytest.raises(CommandError, match="A published wave cannot take new responses"):
        observatory("--wave", wave.pk, path)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_progress_is_redrawn_on_a_terminal(analyste, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 100)
    wave = make_wave(analyste, n=30)
    path = tmp_path / "reponses.csv"
    path.write_text("region,q4\n" + "11,oui\n" * 350)
    err = Terminal()
    call_command("observatory", "import", "--wave", str(wave.pk), str(path),
                 stdout=io.StringIO(), stderr=err)
    text = err.getvalue()
    assert text.count("\r\033[K") == 4
    assert "\r\033[K100 rows read · " in text and "29% · about" in text
    assert "\r\033[K350 rows read · " in text
    assert text.endswith("\n")


@pytest.mark.django_db
def test_the_command_line_exits_1_when_nothing_is_imported(analyste, tmp_path, capsys):
    """The real entry point: the `observatory` dispatcher's parser and the exit status."""
    wave = make_wave(analyste, n=30)
    path = tmp_path / "reponses.csv"
    path.write_text("region,q4\n11,zz\n")
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["alliances", "observatory", "import", "--wave", str(wave.pk),
                           str(path)]).execute()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert f"{path}, line 2, column q4: « zz »" in err
    assert f"CommandError: wave {wave.pk}: nothing imported: 1 bad rows (batch" in err
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["alliances", "observatory", "import", "--help"]).execute()
    assert exit_.value.code == 0 and "--skip-bad-rows" in capsys.readouterr().out
