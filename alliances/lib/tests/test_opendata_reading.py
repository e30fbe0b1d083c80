"""lib.opendata: encodings, records with their lines, the progress line, field cleaning."""

import csv
import io

import pytest

from alliances.lib.opendata.reading import (
    Fields,
    Progress,
    detect_encoding,
    open_text,
    records,
)
from alliances.lib.opendata.records import (
    Malformed,
    MissingColumns,
    Record,
    Skip,
    clean_siret,
    clean_url,
    column_indexes,
    parse_timestamp,
    truncate,
)
from alliances.lib.opendata.rna import HEADER, RnaReader


def test_detect_encoding():
    assert detect_encoding(b"\xef\xbb\xbfid;titre\n") == "utf-8-sig"
    assert detect_encoding("Élèves".encode()) == "utf-8"
    assert detect_encoding("Élèves — Noël".encode("cp1252")) == "cp1252"
    # A character cut by the sniffing limit is still UTF-8.
    assert detect_encoding("abc é".encode()[:-1]) == "utf-8"


def test_open_text_reads_cp1252_and_bom(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("titre\n« Œuvre » — 5 €\n".encode("cp1252"))
    file = open_text(path)
    assert file.text.read() == "titre\n« Œuvre » — 5 €\n"
    file.close()
    path.write_bytes(b"\xef\xbb\xbf" + b"id\n")
    file = open_text(path)
    assert file.text.read() == "id\n"
    file.close()


def test_records_keep_their_line_across_quoted_newlines():
    text = io.StringIO('a;b\n"1";"x; y"\n"2";"sur\ndeux"\n"3";"z"\n')
    items = list(records(text, ";"))
    assert all(isinstance(item, Fields) for item in items)
    assert [(item.line, item.values) for item in items if isinstance(item, Fields)] == [
        (1, ["a", "b"]), (2, ["1", "x; y"]), (4, ["2", "sur\ndeux"]), (5, ["3", "z"])]


def test_a_giant_field_is_an_error_not_a_crash():
    limit = csv.field_size_limit()
    text = io.StringIO('a;b\n"1";"' + "x" * (limit + 10) + '"\n')
    items = list(records(text, ";"))
    assert isinstance(items[1], csv.Error) and "line" in str(items[1])


def test_progress_line():
    stream = io.StringIO()
    progress = Progress(1000, {"rows": "lignes", "rate": "l/s", "left": "reste"},
                        stream=stream)
    progress.start_position = 0
    assert progress.text(240_000, 120, 2.0) == (
        "12\u202f% · 240\u202f000 lignes · 120\u202f000 l/s · reste 15 s")
    progress(10, 5)
    assert stream.getvalue() == ""  # not a terminal: quiet


def test_column_indexes_name_the_missing():
    with pytest.raises(MissingColumns) as error:
        column_indexes(["id", "titre"], ("id", "position", "maj_time"))
    assert error.value.missing == ["position", "maj_time"]


def test_cleaning():
    assert clean_siret("732 829 320 00074") == "73282932000074"
    assert clean_siret("73282932000075") == ""
    assert clean_url("https://asso.example.org/a?b=1") == "https://asso.example.org/a?b=1"
    assert clean_url("www.asso.fr") == "" and clean_url("javascript:alert(1)") == ""
    assert clean_url("http://localhost") == "" and clean_url("http://a b.fr") == ""
    assert truncate("mot " * 400, 100).endswith("…") and len(truncate("mot " * 400, 100)) <= 100
    assert truncate("  court\n texte ", 100) == "court texte"
    stamp, day = parse_timestamp("2024-03-01 10:00:00"), parse_timestamp("2024-03-01")
    assert stamp is not None and stamp.hour == 10
    assert day is not None and day.day == 1
    assert parse_timestamp("hier") is None and parse_timestamp("") is None


def test_rna_reader():
    reader = RnaReader(list(HEADER))
    row = dict.fromkeys(HEADER, "")
    row.update(id="W123456789", titre="  Amicale ", position="A", adrs_codeinsee="35238",
               adrs_numvoie="4", adrs_repetition="T", adrs_typevoie="BD", adrs_libvoie="X",
               maj_time="2023-01-02 03:04:05")
    record = reader.parse(list(row.values()))
    assert isinstance(record, Record)
    assert (record.key, record.name, record.address, record.commune) == (
        "W123456789", "Amicale", "4T BD X", "35238")
    row["position"] = "S"
    assert reader.parse(list(row.values())) == Skip("dissolved", "W123456789")
    row["id"] = "W12"
    with pytest.raises(Malformed, match="W12"):
        reader.parse(list(row.values()))
    with pytest.raises(Malformed, match="3 fields instead of 39"):
        reader.parse(["a", "b", "c"])
