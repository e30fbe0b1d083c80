"""The benchmark's baseline: the cheapest honest Django page, served by the same server
and middleware as the real pages, so `alliances bench pages` can express their throughput
as a ratio to it. Mounted only when ALLIANCES_BENCH=1 (see core/urls.py)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from alliances.territories.models import Commune


@require_GET
def baseline(request: HttpRequest) -> HttpResponse:
    # Primary-key order: an index walk, so the baseline measures Django, not a sort.
    communes = Commune.objects.order_by("code").only("code", "name", "population")[:50]
    return render(request, "core/bench_baseline.html", {"communes": communes})
