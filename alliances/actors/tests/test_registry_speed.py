"""What the registry import does for speed keeps its results: the fast name folding, and
on SQLite the indexes dropped for a first import and built again."""

import random

import pytest
from django.db import connection

from alliances.actors import registry
from alliances.actors.models import Organisation
from alliances.actors.registry import rna_import
from alliances.lib.opendata.folding import fold_name
from alliances.lib.text import fold

from .test_import_rna import rna_row, write_rna

NAMES = [
    "", "   ", "Amicale  des Élèves", "Œuvre des Écoles — Noël", "ÆGIS\u00a0club",
    "Comité d'entraide \u202fSaint-Éloi", "e\u0301te\u0301", "Straße", "İstanbul dostları",
    "Ελληνική κοινότητα", "Ｆｕｌｌ ｗｉｄｔｈ", "ﬁlature", "x\u034fy", "Club №1 ½", "…",
]


def test_fold_name_gives_fold():
    for name in NAMES:
        assert fold_name(name) == fold(name), name
    rng = random.Random(5)
    alphabet = [chr(code) for code in range(0x20, 0x2100)] + ["œ", "Œ", "æ", "\u0301"] * 20
    for _ in range(20_000):
        name = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 10)))
        assert fold_name(name) == fold(name), repr(name)


def organisation_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
                       [Organisation._meta.db_table])
        return {name for (name,) in cursor.fetchall()}


DEFERRED = {index.name for index in Organisation._meta.indexes}
sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'")


@sqlite_only
@pytest.mark.django_db
def test_a_first_import_drops_the_indexes_and_builds_them_again(tmp_path, vincennes,
                                                               monkeypatch):
    monkeypatch.setattr(registry, "DEFER_INDEXES_MIN_ROWS", 0)
    path = write_rna(tmp_path / "rna.csv", [rna_row(n) for n in range(1, 30)])
    during = []
    rna_import(path, batch_size=10, after_batch=lambda k: during.append(organisation_indexes()))
    assert not DEFERRED & during[0]
    assert DEFERRED <= organisation_indexes()
    # The same file again: no more rows than the table holds, nothing dropped.
    during.clear()
    rna_import(path, batch_size=10, after_batch=lambda k: during.append(organisation_indexes()))
    assert DEFERRED <= during[0]


@sqlite_only
@pytest.mark.django_db
def test_a_failed_import_builds_the_indexes_again(tmp_path, vincennes, monkeypatch):
    monkeypatch.setattr(registry, "DEFER_INDEXES_MIN_ROWS", 0)
    path = write_rna(tmp_path / "rna.csv", [rna_row(n) for n in range(1, 30)])
    with pytest.raises(ZeroDivisionError):
        rna_import(path, batch_size=10, after_batch=lambda k: 1 / 0)
    assert DEFERRED <= organisation_indexes()


@sqlite_only
@pytest.mark.django_db
def test_an_import_builds_the_indexes_a_killed_one_left_missing(tmp_path, vincennes):
    registry._drop_deferred_indexes()  # as a killed import leaves them
    assert not DEFERRED & organisation_indexes()
    rna_import(write_rna(tmp_path / "rna.csv", [rna_row(1)]))
    assert DEFERRED <= organisation_indexes()


def test_a_small_file_keeps_the_indexes(tmp_path, monkeypatch):
    monkeypatch.setattr(registry.Organisation.objects, "count", lambda: 0)
    path = write_rna(tmp_path / "rna.csv", [rna_row(n) for n in range(1, 30)])
    assert not registry._many_new_rows(path, 0)
    monkeypatch.setattr(registry, "DEFER_INDEXES_MIN_ROWS", 25)
    assert registry._many_new_rows(path, 0)
    assert not registry._many_new_rows(path, 10)  # resumed after 10 of its 29 rows


@pytest.mark.django_db
def test_a_failure_in_the_reading_process_fails_the_import(tmp_path, vincennes, monkeypatch):
    from alliances.actors.models import RegistryImport, RegistryImportStatus
    from alliances.lib.opendata.rna import RnaReader

    monkeypatch.setattr(registry, "READ_IN_CHILD_MIN_ROWS", 0)

    def broken(self, values):
        raise LookupError("a bug in the reader")

    monkeypatch.setattr(RnaReader, "parse", broken)
    path = write_rna(tmp_path / "rna.csv", [rna_row(n) for n in range(1, 30)])
    with pytest.raises(RuntimeError, match="a bug in the reader"):
        rna_import(path, batch_size=10)
    assert RegistryImport.objects.get().status == RegistryImportStatus.FAILED
    assert not Organisation.objects.exists()
