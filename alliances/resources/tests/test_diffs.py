"""diffs.py: word-level text diffs, added/removed for lists, old → new for values, all
escaped. Framework-free: no database."""

from alliances.resources.diffs import Options, diff, text_diff, to_html, tokens


def test_words_spaces_and_punctuation_are_tokens():
    assert tokens("Réunir, puis agir.") == ["Réunir", ",", " ", "puis", " ", "agir", "."]


def test_a_changed_word_is_one_deletion_and_one_insertion():
    segments = text_diff("Réunir les acteurs du territoire.", "Réunir les habitants du territoire.")
    assert segments == (
        ("=", "Réunir les "), ("-", "acteurs"), ("+", "habitants"), ("=", " du territoire."),
    )
    assert to_html(segments) == (
        "Réunir les <del>acteurs</del><ins>habitants</ins> du territoire."
    )


def test_a_changed_comma_is_not_a_changed_sentence():
    segments = text_diff("Écouter, puis agir.", "Écouter; puis agir.")
    assert segments == (("=", "Écouter"), ("-", ","), ("+", ";"), ("=", " puis agir."))


def test_identical_text_has_no_change_and_empty_to_text_is_all_new():
    assert diff({"body": "x"}, {"body": "x"}) == []
    [change] = diff({"body": ""}, {"body": "Un texte"})
    assert change.segments == (("+", "Un texte"),)


def test_markup_is_escaped_in_every_kind_of_change():
    changes = diff(
        {"title": "<b>", "tags": ["<i>"], "licence": "<a>"},
        {"title": "<script>", "tags": ["<img onerror=x>"], "licence": "<u>"},
    )
    html = " ".join(c.html() for c in changes)
    assert "<script>" not in html and "<img" not in html and "<u>" not in html
    assert "&lt;<del>b</del><ins>script</ins>&gt;" in html and "&lt;img onerror=x&gt;" in html


def test_lists_show_what_was_added_and_removed_with_labels():
    labels = {"tags": {"type:mecenat": "mécénat", "fragilite:emploi": "emploi"}.get}
    [change] = diff(
        {"tags": ["fragilite:emploi"]}, {"tags": ["type:mecenat"]},
        options=Options(labels=labels),
    )
    assert (change.kind, change.added, change.removed) == ("list", ("mécénat",), ("emploi",))
    assert change.html() == "<ins>mécénat</ins> <del>emploi</del>"


def test_values_show_old_and_new():
    [change] = diff({"issued_on": "2026-01-01"}, {"issued_on": None})
    assert change.html() == "<del>2026-01-01</del>"
    [change] = diff({"region_id": None}, {"region_id": "84"},
                    options=Options(labels={"region_id": {"84": "Auvergne-Rhône-Alpes"}.get}))
    assert change.html() == "<ins>Auvergne-Rhône-Alpes</ins>"


def test_the_first_version_shows_everything_as_new_in_the_order_asked():
    changes = diff(None, {"body": "Texte", "title": "Titre", "tags": ["a"], "kind": "fiche"},
                   order=("title", "kind"))
    assert [c.field for c in changes] == ["title", "kind", "body", "tags"]
    assert changes[0].segments == (("+", "Titre"),)
