from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Organisation


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.public().for_list()[:50]
    return render(request, "actors/index.html", {"organisations": organisations})


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.public(), pk=pk)
    return render(request, "actors/detail.html", {"organisation": organisation})
