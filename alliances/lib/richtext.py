"""Safe rich text for discussion threads: Markdown in, sanitised HTML out, and @mentions.

Two layers, because thread posts come from any member and are shown to all the others:
1. Python-Markdown with its raw-HTML handling switched off (the `html_block` preprocessor
   and the `html` inline pattern deregistered, as its docs advise since `safe_mode` went
   away in 3.0): HTML that people type is shown as text, not interpreted.
2. nh3 (ammonia) on the result, with a short allow-list: whatever Markdown can be coaxed
   into producing, only these tags, no attributes but a link's href, only http, https
   and mailto URLs, comments dropped, `rel="nofollow noopener noreferrer"` on every link.

Headings are shifted to h3/h4, which fit under the page's own h1/h2; images become links
to them, so that no post loads a remote resource in the readers' browsers.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from html.parser import HTMLParser

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4"}
)
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
EXTENSIONS = ("fenced_code", "sane_lists", "nl2br")

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={"*": set(), "a": {"href"}},  # "*" empty: not even nh3's default title/lang
    url_schemes=set(URL_SCHEMES),
    url_relative="deny",  # a relative href is not one of the allowed schemes
    link_rel=LINK_REL,
    strip_comments=True,
)

_HEADING_LEVEL = {"h1": "h3", "h2": "h4", "h3": "h4", "h4": "h4", "h5": "h4", "h6": "h4"}


class _ThreadTree(Treeprocessor):
    """Shift headings under the page's own, turn images into plain links."""

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if element.tag in _HEADING_LEVEL:
                element.tag = _HEADING_LEVEL[element.tag]
            elif element.tag == "img":
                src = element.get("src", "")
                alt = element.get("alt") or src
                element.attrib.clear()
                element.tag = "a"
                element.set("href", src)
                element.text = alt


def _converter() -> markdown.Markdown:
    """A fresh converter: Markdown instances keep state and are not thread-safe."""
    md = markdown.Markdown(extensions=list(EXTENSIONS), output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_ThreadTree(md), "alliances_thread", 0)
    return md


def sanitise_html(html: str) -> str:
    """HTML cut down to the allow-list (layer 2 alone, for HTML that did not come from us)."""
    return _CLEANER.clean(html)


def render_markdown(text: str) -> str:
    """The HTML of a post, safe to mark safe in a template."""
    return sanitise_html(_converter().convert(text or ""))


# A handle is a slug (`paula-participante`). The @ must not follow a character that makes
# it part of an address or URL (`paula@example.org`, `https://social.example/@paula`), and
# the handle must not run into one either (`@paula@example.org` is an address too).
MENTION_RE = re.compile(r"(?<![\w.+\-/@=])@([a-z0-9]+(?:-[a-z0-9]+)*)(?![\w@])", re.IGNORECASE)


class _TextOutsideCode(HTMLParser):
    """Collects the text of rendered Markdown, leaving out code spans and blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("code", "pre"):
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "pre") and self.depth:
            self.depth -= 1
        # Block ends separate words that Markdown put in different elements.
        self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.chunks.append(data)


def mentions(text: str, known: Iterable[str]) -> set[str]:
    """The known handles @mentioned in a post, spelled as in `known`.

    Read from the rendered Markdown, so that what is code for the renderer (inline code,
    fenced and indented blocks) is code here too.
    """
    by_lower = {handle.lower(): handle for handle in known}
    if not by_lower or "@" not in (text or ""):
        return set()
    parser = _TextOutsideCode()
    parser.feed(_converter().convert(text))
    parser.close()
    found = set()
    for match in MENTION_RE.finditer("".join(parser.chunks)):
        handle = by_lower.get(match.group(1).lower())
        if handle is not None:
            found.add(handle)
    return found
