"""Thread posts: Markdown rendered safe whatever is typed, and @mentions found where meant."""

import re
from html.parser import HTMLParser

import pytest

from alliances.lib.richtext import ALLOWED_TAGS, mentions, render_markdown, sanitise_html

REL = 'rel="nofollow noopener noreferrer"'


class Structure(HTMLParser):
    """What a browser would see as markup (escaped text is not markup)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def assert_inert(html: str) -> None:
    """Only allowed tags; no attribute but a link's href and rel; only safe URLs; no comment."""
    structure = Structure(html)
    assert not structure.comments, html
    for tag, attrs in structure.elements:
        assert tag in ALLOWED_TAGS, html
        if tag == "a":
            assert set(attrs) <= {"href", "rel"}, html
            assert attrs.get("rel") == "nofollow noopener noreferrer", html
            assert re.match(r"(https?|mailto):", attrs.get("href") or "mailto:"), html
        else:
            assert not attrs, html


# Formatting that is kept


def test_emphasis_code_and_paragraphs():
    html = render_markdown("**gras** et *italique* avec `code`\n\nDeuxième paragraphe")
    assert html == (
        "<p><strong>gras</strong> et <em>italique</em> avec <code>code</code></p>\n"
        "<p>Deuxième paragraphe</p>"
    )


def test_newlines_become_line_breaks():
    assert render_markdown("ligne 1\nligne 2") == "<p>ligne 1<br>\nligne 2</p>"


def test_lists_and_quotes():
    html = render_markdown("> Une citation\n\n- un\n- deux\n\n1. premier\n2. second")
    assert "<blockquote>\n<p>Une citation</p>\n</blockquote>" in html
    assert "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>" in html
    assert "<ol>\n<li>premier</li>\n<li>second</li>\n</ol>" in html


def test_fenced_code_keeps_its_text_escaped_and_drops_the_language_class():
    html = render_markdown("```python\nif a < b and c > d:\n    print('<b>')\n```")
    assert html == ("<pre><code>if a &lt; b and c &gt; d:\n    print('&lt;b&gt;')\n</code></pre>")


def test_headings_are_shifted_to_h3_and_h4():
    html = render_markdown("# Un\n\n## Deux\n\n### Trois\n\n###### Six")
    assert html == "<h3>Un</h3>\n<h4>Deux</h4>\n<h4>Trois</h4>\n<h4>Six</h4>"


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("[site](https://alliances.example/a?b=1&c=2)", "https://alliances.example/a?b=1&amp;c=2"),
        ("[site](http://example.org)", "http://example.org"),
        ("[écrire](mailto:equipe@example.org)", "mailto:equipe@example.org"),
        ("<https://example.org/page>", "https://example.org/page"),
    ],
)
def test_allowed_links_get_nofollow_noopener_noreferrer(text, href):
    html = render_markdown(text)
    assert f'<a href="{href}" {REL}>' in html
    assert_inert(html)


def test_link_titles_are_dropped():
    assert (
        render_markdown('[a](https://x.org "titre")')
        == f'<p><a href="https://x.org" {REL}>a</a></p>'
    )


def test_accents_and_entities_survive():
    html = render_markdown("Café « co-dév » & 5 < 6 — l'été")
    assert html == "<p>Café « co-dév » &amp; 5 &lt; 6 — l'été</p>"


def test_empty_text():
    assert render_markdown("") == ""


# What is taken out


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<iframe src=https://evil.example></iframe>",
        "<svg onload=alert(1)>",
        "<<script>script>alert(1)<</script>/script>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<!-- <script>alert(1)</script> -->",
        '<div onmouseover="alert(1)">survol</div>',
        "<details open ontoggle=alert(1)>",
    ],
)
def test_typed_html_is_shown_as_text_not_run(text):
    html = render_markdown(text)
    assert_inert(html)
    assert "&lt;" in html  # shown, escaped, rather than silently lost


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](  javascript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](jav&#x09;ascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](/relative/path)",
        "[x](//evil.example/path)",
    ],
)
def test_links_outside_http_https_mailto_lose_their_href(text):
    html = render_markdown(text)
    assert_inert(html)
    assert "href" not in html


def test_quotes_in_a_url_cannot_open_an_attribute():
    html = render_markdown('[x](https://ex.org/"onmouseover="alert(1))')
    assert_inert(html)
    assert "&quot;onmouseover=&quot;" in html


def test_images_become_links_and_never_load():
    html = render_markdown("![schéma du parcours](https://example.org/schema.png)")
    assert html == f'<p><a href="https://example.org/schema.png" {REL}>schéma du parcours</a></p>'
    for text in ("![x](javascript:alert(1))", "![x](data:image/svg+xml;base64,PHN2Zz4=)"):
        html = render_markdown(text)
        assert_inert(html)
        assert "href" not in html


def test_image_without_alt_text_shows_its_address():
    html = render_markdown("![](https://example.org/a.png)")
    assert f'<a href="https://example.org/a.png" {REL}>https://example.org/a.png</a>' in html


# The sanitiser alone, for HTML that did not come out of our Markdown


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<script>alert(1)</script>ok", "ok"),
        ("<style>p{color:red}</style>ok", "ok"),
        ("<p>a<!-- secret -->b</p>", "<p>ab</p>"),
        ('<p style="color:red" class="c" id="i" onclick="x()">t</p>', "<p>t</p>"),
        ('<img src="x" onerror="alert(1)">', ""),
        ('<a href="javascript:alert(1)">j</a>', f"<a {REL}>j</a>"),
        ('<a href="java&#x0A;script:alert(1)">j</a>', f"<a {REL}>j</a>"),
        ('<a href="data:text/html,x">d</a>', f"<a {REL}>d</a>"),
        (
            '<a href="https://ex.org" target="_blank" rel="opener">l</a>',
            f'<a href="https://ex.org" {REL}>l</a>',
        ),
        ("<h1>titre</h1><h3>ok</h3>", "titre<h3>ok</h3>"),
        ("<table><tr><td>x</td></tr></table>", "x"),
        ('<iframe src="https://evil.example"></iframe>ok', "ok"),
    ],
)
def test_sanitiser(dirty, clean):
    assert sanitise_html(dirty) == clean


def test_sanitiser_nested_tricks():
    for dirty in (
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        "<form><button formaction=javascript:alert(1)>x</button></form>",
    ):
        assert_inert(sanitise_html(dirty))


# Mentions

KNOWN = ["paula-participante", "anim-alice", "bob"]


def test_mentions_are_found_case_insensitively_and_spelled_as_known():
    text = "Merci @Paula-Participante et @ANIM-ALICE ! Et @bob."
    assert mentions(text, KNOWN) == {"paula-participante", "anim-alice", "bob"}


def test_mentions_at_line_starts_in_lists_quotes_and_links():
    text = "@bob\n\n- voir @anim-alice\n\n> dixit @paula-participante\n\n[@bob](https://x.org)"
    assert mentions(text, KNOWN) == {"bob", "anim-alice", "paula-participante"}


def test_mentions_next_to_punctuation():
    assert mentions("(@bob), @anim-alice: «@paula-participante»", KNOWN) == set(KNOWN)


def test_unknown_handles_are_ignored():
    assert mentions("@carole et @paula", KNOWN) == set()


def test_a_longer_handle_is_not_a_known_one():
    assert mentions("@bob-le-bricoleur et @paula-participante-2", KNOWN) == set()


@pytest.mark.parametrize(
    "text",
    [
        "écrire à bob@example.org",
        "écrire à paula-participante@example.org",
        "ou @bob@example.org",
        "<bob@example.org>",
        "mailto:bob@example.org",
        "https://social.example/@bob",
        "`@bob` est la syntaxe",
        "```\n@bob\n```",
        "texte\n\n    @bob dans un bloc indenté",
        "``voir @anim-alice``",
    ],
)
def test_mentions_in_addresses_urls_and_code_are_ignored(text):
    assert mentions(text, KNOWN) == set()


def test_code_does_not_hide_mentions_around_it():
    assert mentions("`code` puis @bob", KNOWN) == {"bob"}


def test_no_known_handles_or_no_at_sign():
    assert mentions("@bob", []) == set()
    assert mentions("rien ici", KNOWN) == set()
    assert mentions("", KNOWN) == set()


@pytest.mark.parametrize(
    "html",
    [
        "<img src=x>",
        '<p onclick="x">t</p>',
        "<p>a<!-- c -->b</p>",
        '<a href="javascript:alert(1)" rel="nofollow noopener noreferrer">j</a>',
        '<a href="https://x.org">no rel</a>',
    ],
)
def test_the_inertness_check_itself_catches_markup(html):
    with pytest.raises(AssertionError):
        assert_inert(html)
