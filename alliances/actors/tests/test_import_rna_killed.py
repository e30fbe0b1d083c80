"""`alliances import-rna` killed mid-way (SIGKILL: nothing gets to clean up), then run again:
it resumes after the last committed batch and ends with exactly the file's associations,
none twice. A real child process on this test's database, SQLite or PostgreSQL."""

import subprocess

import pytest
from django.core.management import call_command
from django.db.models import Count

from alliances.actors.models import Organisation, RegistryImport, RegistryImportStatus
from alliances.core.tests.task_processes import kill_hard, shared_database, start, wait_for
from bench.rna_data import DEMO_COMMUNES, write_rna_file

ROWS = 60_000
BATCH = 2_000


@pytest.mark.django_db(transaction=True)  # the child only sees what is committed
def test_a_killed_import_resumes_and_ends_with_each_association_once(tmp_path):
    path = tmp_path / "rna.csv"
    generated = write_rna_file(path, ROWS)
    # Dissolved or deleted rows are skipped; Lyon 3e is not among the demo communes.
    expected = generated["rows"] - generated["gone"] - generated["lyon"]
    with shared_database(tmp_path) as env:
        call_command("import_cog", "--communes", str(DEMO_COMMUNES), verbosity=0)
        command = ["import-rna", str(path), "--quiet", "--batch", str(BATCH)]

        first = start(command, env, tmp_path / "first.log")
        wait_for(lambda: RegistryImport.objects.filter(lines_done__gte=3 * BATCH).exists(),
                 process=first, log=tmp_path / "first.log", every=0.01)
        kill_hard(first)

        run = RegistryImport.objects.get()
        assert run.status == RegistryImportStatus.RUNNING  # nobody was left to say otherwise
        assert 0 < run.lines_done < ROWS, "killed too late to test anything"
        # Each batch commits its rows with the checkpoint: what is there is what it says.
        assert Organisation.objects.count() == run.created

        again = subprocess.run(first.args, env=env, capture_output=True, text=True,
                               timeout=120)
        assert again.returncode == 0, again.stderr[-3000:]
        assert str(run.lines_done + 1) in again.stderr  # "Resuming after line N"

        run.refresh_from_db()
        assert (run.status, run.lines_done) == (RegistryImportStatus.DONE, ROWS)
        assert Organisation.objects.count() == expected
        assert not (Organisation.objects.values("rna").annotate(n=Count("pk"))
                    .filter(n__gt=1).exists())
        numbers = set(Organisation.objects.values_list("rna", flat=True))
        assert len(numbers) == expected
