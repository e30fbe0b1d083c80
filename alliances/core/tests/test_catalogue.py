"""The French catalogue is complete: every string of the code is in it, translated, not fuzzy.

The strings are extracted afresh from a copy of the source, so a string added without
running `make messages` fails here too.
"""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

PACKAGE = Path(__file__).resolve().parents[2]
PO_FILE = PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def entries(catalogue: polib.POFile) -> set[tuple[str | None, str]]:
    return {(entry.msgctxt, entry.msgid) for entry in catalogue if not entry.obsolete}


@pytest.fixture(scope="module")
def committed() -> polib.POFile:
    assert PO_FILE.exists(), f"{PO_FILE} is missing: run `make messages`"
    return polib.pofile(str(PO_FILE))


def test_every_entry_is_translated_and_none_is_fuzzy(committed):
    untranslated = [entry.msgid for entry in committed.untranslated_entries()]
    fuzzy = [entry.msgid for entry in committed.fuzzy_entries()]
    assert not untranslated, f"untranslated French entries: {untranslated}"
    # French has three plural forms (CLDR: one, many, other); a missing one falls back to
    # English at run time.
    forms = int(committed.metadata["Plural-Forms"].split("nplurals=")[1].split(";")[0])
    short = [e.msgid for e in committed if e.msgid_plural and len(e.msgstr_plural) < forms]
    assert not short, f"plural entries without their {forms} French forms: {short}"
    assert not fuzzy, f"fuzzy French entries: {fuzzy}"


def test_catalogue_holds_every_string_of_the_code(committed, tmp_path, monkeypatch, settings):
    source = tmp_path / "alliances"
    shutil.copytree(
        PACKAGE, source,
        ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo", "*.po", "tests", "demo"),
    )
    (source / "locale").mkdir(exist_ok=True)
    monkeypatch.chdir(source)
    settings.LOCALE_PATHS = [str(source / "locale")]  # never write into the real catalogue
    call_command("makemessages", locale=["fr"], no_location=True, verbosity=0)
    fresh = polib.pofile(str(source / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    missing = sorted(msgid for _, msgid in entries(fresh) - entries(committed))
    assert not missing, f"strings missing from the catalogue (run `make messages`): {missing}"


def test_compiled_catalogue_matches(committed):
    assert MO_FILE.exists(), f"{MO_FILE} is missing: run `make messages`"
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(MO_FILE))}
    stale = [
        entry.msgid
        for entry in committed.translated_entries()
        if not entry.msgid_plural and compiled.get((entry.msgctxt, entry.msgid)) != entry.msgstr
    ]
    assert not stale, f"the .mo is older than the .po (run `make messages`): {stale[:10]}"
