"""/alliances/carte/<level>/<code>/: the map of a territory's actors, and its data.

The page holds the map's frame, its legend and type filter, and the same actors as a
paginated table that works without JavaScript (htmx swaps the table when the filter
changes). `map_data` gives the markers as compact arrays; map.js draws them with Leaflet on
a canvas, on the configured tiles or on a plain background when there are none.

An actor sits at its own latitude/longitude, else at its commune's centre, moved by a small
deterministic offset (a sunflower spiral, the k-th actor of a commune at √k steps of the
golden angle) so that a commune's actors do not stack into one point.
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alliances.actors.models import OrganisationType
from alliances.actors.selectors import wants_fragment

from .matrix import TYPE_ORDER, territory_organisations
from .territory import Territory, territory_from_path, territory_level

PER_PAGE = 100
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
SPIRAL_STEP = 0.0012  # degrees of latitude, about 130 m
PLACES = 5  # decimals of a coordinate: about a metre
UNLOCATED = Q(latitude__isnull=True) & Q(commune__latitude__isnull=True)


def spiral_offset(k: int, latitude: float) -> tuple[float, float]:
    """The k-th point (k ≥ 0) of a sunflower spiral around a centre, in degrees."""
    if k == 0:
        return 0.0, 0.0
    radius = SPIRAL_STEP * math.sqrt(k)
    angle = k * GOLDEN_ANGLE
    stretch = 1 / max(math.cos(math.radians(latitude)), 0.1)
    return radius * math.sin(angle), radius * math.cos(angle) * stretch


def map_points(user, territory: Territory) -> tuple[list[list], int]:
    """The markers [id, name, type index, latitude, longitude, approximate (0/1)] of the
    actors the user may see in the territory, and how many have no location (one query)."""
    rows = (
        territory_organisations(user, territory)
        .order_by("pk")
        .values_list("pk", "name", "type", "latitude", "longitude", "commune_id",
                     "commune__latitude", "commune__longitude")
    )
    index = {code: i for i, code in enumerate(TYPE_ORDER)}
    placed: dict[str, int] = {}
    points: list[list] = []
    unlocated = 0
    for pk, name, type_, lat, lng, commune, centre_lat, centre_lng in rows:
        approximate = lat is None or lng is None
        if approximate:
            if centre_lat is None or centre_lng is None:
                unlocated += 1
                continue
            k = placed.get(commune, 0)
            placed[commune] = k + 1
            dlat, dlng = spiral_offset(k, centre_lat)
            lat, lng = centre_lat + dlat, centre_lng + dlng
        points.append([pk, name, index[type_], round(lat, PLACES), round(lng, PLACES),
                       int(approximate)])
    return points, unlocated


@require_GET
def map_data(request: HttpRequest, level: str, code: str) -> JsonResponse:
    territory = territory_from_path(level, code)
    points, unlocated = map_points(request.user, territory)
    body = {
        "types": TYPE_ORDER,
        "columns": ["id", "name", "type", "lat", "lng", "approximate"],
        "actors": points,
        "unlocated": unlocated,
        "detail": reverse("actors:detail", args=[0]).replace("/0/", "/{id}/"),
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False,
                                                 "separators": (",", ":")})


@dataclass(frozen=True)
class TypeCount:
    code: str
    label: str
    count: int
    unlocated: int
    checked: bool


def _type_counts(queryset, chosen: set[str] | None) -> list[TypeCount]:
    counts = {
        row["type"]: row
        for row in queryset.order_by().values("type").annotate(
            n=Count("pk"), unlocated=Count("pk", filter=UNLOCATED)
        )
    }
    return [
        TypeCount(code, OrganisationType(code).label, counts[code]["n"],
                  counts[code]["unlocated"], chosen is None or code in chosen)
        for code in TYPE_ORDER
        if code in counts
    ]


def _list_page(queryset, params, chosen: set[str] | None) -> Page:
    if chosen is not None:
        queryset = queryset.filter(type__in=chosen)
    rows = queryset.select_related("commune").only(
        "pk", "name", "type", "latitude", "longitude", "commune__code", "commune__name",
        "commune__latitude", "commune__longitude",
    ).order_by("search_name", "pk")
    return Paginator(rows, PER_PAGE).get_page(params.get("page"))


@require_GET
def map_page(request: HttpRequest, level: str, code: str) -> HttpResponse:
    territory = territory_from_path(level, code)
    queryset = territory_organisations(request.user, territory)
    asked = request.GET.getlist("type")
    known = [t for t in asked if t in TYPE_ORDER]
    notices = [] if len(known) == len(asked) else [
        _("Unknown actor types were ignored: %(types)s")
        % {"types": ", ".join(t for t in asked if t not in TYPE_ORDER)}
    ]
    # The form says it was sent ("f"): no type ticked then means none, not all.
    chosen = set(known) if known or "f" in request.GET else None
    types = _type_counts(queryset, chosen)
    context = {
        "territory": territory,
        "level": territory_level(territory),
        "types": types,
        "total": sum(t.count for t in types),
        "unlocated": sum(t.unlocated for t in types if t.checked),
        "page": _list_page(queryset, request.GET, chosen),
        "notices": notices,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    template = "partnerships/map.html#list" if wants_fragment(request) else "partnerships/map.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
