"""French text helpers shared by both backends: words, accent folding, Snowball stems,
highlighted snippets and the edit distance used by the typo fallback."""

import bisect
import html
import re
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"[^\W_]+")
# Dropped from queries (not from the index): every French text has them, so requiring them
# only loses results, and PostgreSQL's french configuration drops them anyway.
STOPWORDS = frozenset(
    "a au aux ce ces d de des du en et l la le les n ne ou par pas pour qu que qui s sa se "
    "ses son sur un une".split()
)
_stemmer = snowballstemmer.stemmer("french")


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower-case without diacritics: what FTS5's `remove_diacritics 2` and unaccent do."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem of the folded word: stemming the folded form on both sides makes
    *fragilités* and *fragilites* agree (the stemmer alone gives `fragil` and `fragilit`)."""
    folded = fold(word)
    return _stemmer.stemWord(folded)


def words(text: str) -> list[str]:
    return WORD.findall(text)


def query_terms(query: str) -> list[str]:
    """The folded words of a user's query, stopwords dropped unless nothing else is left."""
    folded = [fold(w) for w in words(query)]
    kept = [w for w in folded if w not in STOPWORDS]
    return kept or folded


def stems_text(*texts: str) -> str:
    """The distinct stems of the texts, in order of first appearance (each distinct word
    stemmed once: indexing 100k documents stems some 16 million words)."""
    distinct = dict.fromkeys(w for text in texts for w in WORD.findall(text))
    return " ".join(dict.fromkeys(map(stem, distinct)))


def folded_words(*texts: str) -> set[str]:
    """The distinct folded words of the texts: `fold` on each distinct word only."""
    return set(map(fold, {w for text in texts for w in WORD.findall(text)}))


# The letters a folded letter stands for, to find words regardless of their accents.
_ACCENTED = {
    "a": "aàáâãäå", "c": "cç", "e": "eèéêë", "i": "iìíîï", "n": "nñ", "o": "oòóôõö",
    "u": "uùúûü", "y": "yýÿ",
}  # fmt: skip


@lru_cache(maxsize=1024)
def _finder(terms: tuple[str, ...]) -> re.Pattern:
    """The words that begin with a term or its stem, whatever their accents and case: the
    candidates `matches` then checks (a regex finds them much faster than testing every
    word)."""
    prefixes = sorted({*terms, *(stem(t) for t in terms)} - {""}, key=len, reverse=True)
    alternatives = "|".join(
        "".join(f"[{_ACCENTED[c]}]" if c in _ACCENTED else re.escape(c) for c in prefix)
        for prefix in prefixes
    )
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", re.IGNORECASE)


def snippet_html(terms: list[str], *texts: str, width: int = 30) -> str:
    """About `width` words of the texts around the first matched word, HTML-escaped, with
    each word that matches a query term (same folded word or same stem) in <mark>."""
    exact = set(terms)
    stems = {stem(t) for t in terms}

    def matches(word: str) -> bool:
        folded = fold(word)
        if folded in exact:
            return True
        # A word's stem is nearly always a prefix of it: test that before stemming.
        return any(folded.startswith(s) for s in stems) and stem(folded) in stems

    finder = _finder(tuple(sorted(exact)))
    for text in texts:
        if not text:
            continue
        hit = next((m for m in finder.finditer(text) if matches(m.group())), None)
        if hit is None:
            continue
        spans = [m.span() for m in WORD.finditer(text)]
        index = bisect.bisect_left(spans, (hit.start(), hit.end()))
        start = max(0, index - width // 3)
        end = min(len(spans), start + width)
        return _render(text, spans[start:end], finder, matches, start > 0, end < len(spans))
    first = next((t for t in texts if t), "")
    spans = [m.span() for m in WORD.finditer(first)]
    return _render(first, spans[:width], None, None, False, len(spans) > width)


def _render(text, spans, finder, matches, cut_before, cut_after) -> str:
    if not spans:
        return ""
    begin = spans[0][0] if cut_before else 0
    end = spans[-1][1] if cut_after else len(text)
    out, pos = [], begin
    for m in finder.finditer(text, begin, end) if finder else ():
        if matches(m.group()):
            out += [html.escape(text[pos : m.start()]), f"<mark>{html.escape(m.group())}</mark>"]
            pos = m.end()
    out.append(html.escape(text[pos:end]))
    return ("… " if cut_before else "") + "".join(out) + (" …" if cut_after else "")


def within_one_typo(a: str, b: str) -> bool:
    """Levenshtein distance ≤ 1 (one letter inserted, deleted, replaced, or two swapped)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]
