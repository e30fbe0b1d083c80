"""XSS payloads typed into a resource's title, summary, body, authors, links' text and
review comments come out of every contribution page as text: no script, no event
handler, no javascript:/data:/vbscript: URL, no frame, object, style or SVG.

The check parses each whole page: the page's own scripts are those loaded from
/static/; anything else executable is a failure, wherever it is.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from alliances.resources import services as s
from alliances.resources.models import ResourceStatus
from alliances.resources.testing import make_resource

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=5 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">clic</a>',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clic](vbscript:msgbox(1))",
    "[clic](&#106;avascript:alert(1))",
    "[clic](java&#x09;script:alert(1))",
    "![image](javascript:alert(1))",
    '<a href="&#x6A;avascript:alert(1)">clic</a>',
    "<body onload=alert(1)>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '"><script>alert(1)</script>',
    "<<script>alert(1)//<</script>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<a href='https://ok.example' onclick='alert(1)'>ok</a>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<base href='javascript:alert(1)//'>",
]

FORBIDDEN_TAGS = {"iframe", "object", "embed", "style", "svg", "math", "base", "frame",
                  "frameset", "applet"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster",
                  "background", "content"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


class Executable(HTMLParser):
    """Collects what a browser could run from the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.found.append(f"<script> {values}")
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "meta" and values.get("http-equiv"):
            self.found.append(f"<meta http-equiv> {values}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name == "style":
                self.found.append(f"<{tag} style>")
            if name in URL_ATTRIBUTES and value:
                squeezed = "".join(ch for ch in value if ch > " ").lower()
                if squeezed.startswith(BAD_SCHEMES) or "url=javascript:" in squeezed:
                    self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def executable(html: str) -> list[str]:
    parser = Executable()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_checker_sees_what_it_must():
    """Raw payloads fail the check: it is not one that cannot fail."""
    for payload in ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                    '<a href="jav&#x09;ascript:alert(1)">x</a>', "<svg onload=alert(1)>",
                    "<iframe src=x></iframe>", '<div style="x">', "<style>x</style>"]:
        assert executable(payload), payload


def _check(client, url: str, method: str = "get", data: dict | None = None) -> str:
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 200, url
    html = response.content.decode()
    assert executable(html) == [], url
    return html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_come_out_as_text_on_every_contribution_page(
    client, participant, animateur, payload
):
    resource = make_resource(
        by=participant, status=ResourceStatus.DRAFT, title=f"Fiche {payload}"[:250],
        summary=f"Résumé {payload}", body=f"Texte\n\n{payload}\n\n**fin**",
        authors=payload[:300], links=[("https://ok.example/", payload[:200])],
    )
    s.resource_update(resource=resource, by=participant, body=f"Texte révisé {payload}",
                      title="Fiche révisée")
    s.resource_submit(resource=resource, by=participant, message=payload)
    s.resource_comment(resource=resource, by=animateur, body=payload)

    client.force_login(animateur)
    html = _check(client, reverse("resources:review", args=[resource.pk]))
    assert "<strong>fin</strong>" not in html  # the body was revised
    _check(client, reverse("resources:review_queue"))
    _check(client, reverse("resources:versions", args=[resource.pk]))
    for number in (1, 2):
        _check(client, reverse("resources:version", args=[resource.pk, number]))
    _check(client, reverse("resources:edit", args=[resource.pk]))
    _check(client, reverse("resources:preview"), "post", {"body": payload})

    client.force_login(participant)
    _check(client, reverse("resources:my_contributions"))
    _check(client, reverse("accounts:profile"))


def test_the_diff_escapes_what_it_marks():
    from alliances.resources.diffs import diff

    [change] = diff({"body": "a <b>"}, {"body": 'a <script>alert("x")</script>'})
    html = change.html()
    assert "<script>" not in html
    assert "&lt;" in html and "<ins>" in html and "<del>" in html
