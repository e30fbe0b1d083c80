from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Commune, Departement, Region


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    regions = Region.objects.prefetch_related("departements")
    return render(request, "territories/index.html", {"regions": regions})


@require_GET
def region(request: HttpRequest, code: str) -> HttpResponse:
    territory = get_object_or_404(Region, code=code)
    return render(request, "territories/territory.html", {"territory": territory})


@require_GET
def departement(request: HttpRequest, code: str) -> HttpResponse:
    territory = get_object_or_404(Departement.objects.select_related("region"), code=code)
    return render(request, "territories/territory.html", {"territory": territory})


@require_GET
def commune(request: HttpRequest, code: str) -> HttpResponse:
    territory = get_object_or_404(Commune.objects.select_related("departement"), code=code)
    return render(request, "territories/territory.html", {"territory": territory})
