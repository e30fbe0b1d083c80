"""Pagers of lists whose page is one query parameter among others (several lists on one
page: each pager keeps the others' pages and the filters)."""

from __future__ import annotations

from django.core.paginator import Page
from django.http import HttpRequest


def page_links(request: HttpRequest, page: Page, param: str) -> dict:
    """The links of a pager whose page number is the query parameter `param` (two lists
    on one page: each keeps the other's page and the filters)."""
    if not page.has_other_pages():
        return {"numbers": []}

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}"

    numbers = [
        (n, "" if n == page.paginator.ELLIPSIS else url(n))
        for n in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    return {
        "numbers": numbers,
        "current": page.number,
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
    }
