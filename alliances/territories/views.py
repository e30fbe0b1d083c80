from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from alliances.actors.models import Organisation
from alliances.actors.selectors import directory, wants_fragment
from alliances.core.pagecache import cached_public_page

from .models import Commune, Departement, Region

COMMUNE_SEARCH_LIMIT = 50


@require_GET
@cached_public_page
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    communes = (
        list(Commune.objects.search(query).select_related("departement")[:COMMUNE_SEARCH_LIMIT])
        if query
        else None
    )
    context = {
        "regions": Region.objects.prefetch_related("departements"),
        "query": query,
        "communes": communes,
        "limit": COMMUNE_SEARCH_LIMIT,
    }
    return render(request, "territories/index.html", context)


@require_GET
@cached_public_page
def region(request: HttpRequest, code: str) -> HttpResponse:
    territory = get_object_or_404(Region, code=code)
    return _territory_page(
        request, territory, kind="region", breadcrumb=[], departements=territory.departements.all()
    )


@require_GET
@cached_public_page
def departement(request: HttpRequest, code: str) -> HttpResponse:
    territory = get_object_or_404(Departement.objects.select_related("region"), code=code)
    return _territory_page(request, territory, kind="departement", breadcrumb=[territory.region])


@require_GET
@cached_public_page
def commune(request: HttpRequest, code: str) -> HttpResponse:
    territory = get_object_or_404(
        Commune.objects.select_related("departement__region", "epci"), code=code
    )
    return _territory_page(
        request,
        territory,
        kind="commune",
        breadcrumb=[territory.departement.region, territory.departement],
    )


def _territory_page(
    request: HttpRequest, territory: Model, *, kind: str, breadcrumb: list[Model], **extra
) -> HttpResponse:
    """The page of a territory and its public actors; htmx asks for the results only."""
    context = {
        "territory": territory,
        "kind": kind,
        "breadcrumb": breadcrumb,
        "directory": directory(Organisation.objects.public().in_territory(territory), request.GET),
        **extra,
    }
    template = "territories/territory.html"
    if wants_fragment(request):
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
