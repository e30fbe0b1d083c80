"""The resource centre as open data: GET /api/v1/resources (search) and
/api/v1/resources/{id} (one resource). Published resources only.

The search answers in rank order with the engine's highlighted snippets (HTML: the text
escaped, the matched words in <mark>) and its facet counts; filters combine as on the
search page (AND across families, OR within one). A bad parameter is a 400 naming it.
"""

import datetime

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from alliances.core.vocabularies import tag_families
from alliances.lib.richtext import render_markdown
from alliances.resources import search

from . import selectors
from .models import ResourceKind
from .templatetags.resources_tags import link_href

router = Router(tags=["resources"])


class SearchFilters(Schema):
    q: str = Field("", max_length=selectors.QUERY_MAX_LENGTH,
                   description="words to search for (accents and case ignored, French stems)")
    kind: list[ResourceKind] = Field([], description="kinds of resource (OR)")
    tag: list[str] = Field(
        [], description="tags written family:code, as `forme:dialogue_territorial` (OR)"
    )
    territoire: list[str] = Field([], description="INSEE codes of regions (OR)")
    annee: list[str] = Field([], description="years, as 2025 (OR)")
    limit: int = Field(20, ge=1, le=100, description="items per answer (1 to 100)")
    offset: int = Field(0, ge=0, le=1_000_000)


class HitOut(Schema):
    id: int
    title: str
    kind: ResourceKind
    snippet: str = Field(description="HTML: escaped text around the match, words in <mark>")
    summary: str
    url: str


class SearchOut(Schema):
    count: int
    items: list[HitOut]
    facets: dict[str, dict[str, int]] = Field(
        description="for each family (kind, tag, territoire, annee), its values' counts"
    )
    corrected: list[str] = Field(
        description="when nothing matched a one-word query, the words searched instead"
    )


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


@router.get("", response=SearchOut)
def resources_search(request: HttpRequest, filters: Query[SearchFilters]) -> dict:
    """Search the published resources, in rank order, with facet counts."""
    params = selectors.search_params(request.GET)
    if params.rejected:
        raise HttpError(400, "; ".join(
            f"Unknown value for {name}: {value[:50]!r}" for name, value in params.rejected
        ))
    result = search.search(params.query, filters=params.filters, limit=filters.limit,
                           offset=filters.offset)
    items = [
        {
            "id": row.resource.pk,
            "title": row.resource.title,
            "kind": row.resource.kind,
            "snippet": row.hit.snippet_html,
            "summary": row.resource.summary,
            "url": _absolute(request, row.resource.get_absolute_url()),
        }
        for row in selectors.hits_with_rows(result, params.query)
    ]
    return {"count": result.count, "items": items, "facets": result.facets,
            "corrected": result.corrected}


class TagOut(Schema):
    family: str
    code: str
    label: str


class NodeOut(Schema):
    id: int
    number: str = Field(description="as the référentiel is cited: 2.1.3")
    title: str
    url: str


class OrganisationRef(Schema):
    id: int
    name: str
    url: str


class FileOut(Schema):
    name: str
    size: int = Field(description="bytes")
    url: str


class LinkOut(Schema):
    url: str
    title: str


class ResourceOut(Schema):
    id: int
    kind: ResourceKind
    title: str
    summary: str
    body: str = Field(description="Markdown, as written")
    body_html: str = Field(description="the Markdown rendered and sanitised")
    authors: str
    organisations: list[OrganisationRef]
    region: str | None = Field(description="INSEE code")
    departement: str | None = Field(description="INSEE code")
    issued_on: datetime.date | None
    licence: str
    licence_url: str | None
    tags: list[TagOut]
    nodes: list[NodeOut] = Field(description="the référentiel's parts, chapters, questions")
    files: list[FileOut]
    links: list[LinkOut]
    contributor: str | None = Field(description="the display name of who proposed it")
    version: int
    published_at: datetime.datetime | None
    url: str


@router.get("/{int:resource_id}", response=ResourceOut)
def resource_detail(request: HttpRequest, resource_id: int) -> dict:
    """One published resource, with its tags, référentiel nodes, files and links."""
    resource = selectors.resource_detail(resource_id)
    if resource is None or not resource.is_published:
        raise Http404
    families = tag_families() if resource.tags.all() else {}
    numbers = selectors.node_numbers() if resource.nodes.all() else {}
    return {
        **{name: getattr(resource, name) for name in (
            "id", "kind", "title", "summary", "body", "authors", "issued_on", "licence",
            "version", "published_at",
        )},
        "body_html": render_markdown(resource.body),
        "organisations": [
            {"id": o.pk, "name": o.name, "url": _absolute(request, o.get_absolute_url())}
            for o in resource.organisations.all()
        ],
        "region": resource.region_id,
        "departement": resource.departement_id,
        "licence_url": selectors.LICENCE_URLS.get(resource.licence),
        "tags": [
            {"family": t.family, "code": t.code,
             "label": families.get(t.family, {}).get(t.code, t.code)}
            for t in resource.tags.all()
        ],
        "nodes": sorted(
            ({"id": n.pk, "number": numbers.get(n.pk, ""), "title": n.title,
              "url": _absolute(request, n.get_absolute_url())} for n in resource.nodes.all()),
            key=lambda node: [int(p) for p in node["number"].split(".") if p.isdigit()],
        ),
        "files": [
            {"name": f.name, "size": f.size,
             "url": _absolute(request, reverse("resources:file", args=[resource.pk, f.pk]))}
            for f in resource.files.all()
        ],
        "links": [
            {"url": link.url, "title": link.title}
            for link in resource.links.all() if link_href(link.url)
        ],
        "contributor": str(resource.contributor) if resource.contributor else None,
        "url": _absolute(request, resource.get_absolute_url()),
    }
