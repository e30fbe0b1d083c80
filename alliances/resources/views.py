"""The public pages of the resource centre: search, référentiel, a resource and its files,
and the site-wide search behind the header's box."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from alliances.actors.models import Organisation
from alliances.actors.selectors import wants_fragment
from alliances.core.vocabularies import tag_families
from alliances.resources import search

from . import selectors
from .models import ResourceFile, ResourceStatus

SITE_SEARCH_RESOURCES = 5
SITE_SEARCH_ORGANISATIONS = 10


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The search page: without JavaScript a GET form; with htmx the results region
    (facets included, as their counts follow the results) is swapped and the URL pushed."""
    context = {"found": selectors.resource_search(request.GET)}
    template = "resources/index.html#results" if wants_fragment(request) else (
        "resources/index.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_detail(pk)
    # Not published and not theirs to see: not found, so nothing leaks.
    if resource is None or not request.user.has_perm("resources.view_resource", resource):
        raise Http404
    numbers = selectors.node_numbers() if resource.nodes.all() else {}
    context = {
        "resource": resource,
        "tag_groups": selectors.tag_groups(resource, tag_families())
        if resource.tags.all() else [],
        "nodes": sorted(
            ((numbers.get(n.pk, ""), n) for n in resource.nodes.all()),
            key=lambda pair: [int(p) for p in pair[0].split(".") if p.isdigit()],
        ),
        "related": selectors.related_resources(resource) if resource.is_published else [],
        "can_change": request.user.has_perm("resources.change_resource", resource),
        # A superuser has every permission: the link is for resources awaiting review.
        "can_review": resource.status in (ResourceStatus.SUBMITTED, ResourceStatus.IN_REVIEW)
        and request.user.has_perm("resources.review_resource", resource),
    }
    return render(request, "resources/detail.html", context)


@require_GET
def file_download(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    attached = ResourceFile.objects.select_related("resource").filter(
        pk=file_pk, resource_id=pk
    ).first()
    if attached is None or not request.user.has_perm("resources.view_resource", attached.resource):
        raise Http404
    try:
        handle = attached.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=attached.name)
    response["X-Content-Type-Options"] = "nosniff"
    # A resource can be unpublished: no copy kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def referentiel(request: HttpRequest) -> HttpResponse:
    context = {"tree": selectors.referentiel_tree(), "counts": selectors.published_counts()}
    return render(request, "resources/referentiel.html", context)


@require_GET
def node(request: HttpRequest, pk: int) -> HttpResponse:
    tree = selectors.referentiel_tree()
    found = selectors.find_in_tree(tree, pk)
    if found is None:
        raise Http404
    item, ancestors = found
    page = selectors.node_resources(item, request.GET.get("page", 1))
    context = {
        "item": item,
        "ancestors": ancestors,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2,
                                                           on_ends=1),
        "counts": selectors.published_counts() if item.children else {},
    }
    return render(request, "resources/node.html", context)


@require_GET
def site_search(request: HttpRequest) -> HttpResponse:
    """The header's search box: the best resources and the matching organisations."""
    query, errors = selectors.clean_query(request.GET.get("q", ""))
    context: dict = {"query": query, "errors": errors}
    if query:
        result = search.search(query, limit=SITE_SEARCH_RESOURCES, with_facets=False)
        organisations = Organisation.objects.public().search(query)
        context.update(
            result=result,
            hits=selectors.hits_with_rows(result, query),
            organisations=list(organisations.for_list()[:SITE_SEARCH_ORGANISATIONS]),
            organisations_count=organisations.count(),
        )
    return render(request, "resources/site_search.html", context)

