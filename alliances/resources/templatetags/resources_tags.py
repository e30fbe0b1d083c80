"""Small helpers of the resource centre's templates: safe external links, licences,
markdown, tag labels."""

from urllib.parse import urlsplit

from django import template
from django.utils.safestring import SafeString, mark_safe

from alliances.lib.richtext import render_markdown

from ..selectors import LICENCE_URLS

register = template.Library()

LINK_SCHEMES = ("http", "https")


@register.filter
def link_href(url: str) -> str:
    """The address if it is an http(s) one, else "" (the template then shows text, not a
    link): a `javascript:` or `data:` address never becomes an href."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme.lower() in LINK_SCHEMES and parts.hostname else ""


@register.filter
def link_host(url: str) -> str:
    """The host people will land on ("www.fun-mooc.fr"), shown next to a link."""
    try:
        return urlsplit((url or "").strip()).hostname or ""
    except ValueError:
        return ""


@register.filter
def licence_url(code: str) -> str:
    return LICENCE_URLS.get(code, "")


@register.filter
def markdown(text: str) -> SafeString:
    """Markdown rendered and sanitised by nh3 (alliances.lib.richtext): safe to show."""
    return mark_safe(render_markdown(text))  # noqa: S308 -- sanitised by nh3 just above


@register.simple_tag
def tag_label(families: dict[str, dict[str, str]], family: str, code: str) -> str:
    return families.get(family, {}).get(code, code)


@register.filter
def count_of(counts: dict[int, int], pk: int) -> int:
    """`{{ counts|count_of:item.pk }}`: a count by id, 0 when absent."""
    return counts.get(pk, 0)
