"""/alliances/qui-avec-qui/<level>/<code>/: who works with whom in a territory, beside the
national observatory's figures, with the missing links as suggestions (see `matrix`)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .matrix import matrix_read
from .territory import territory_from_path, territory_level


@require_GET
def matrix(request: HttpRequest, level: str, code: str) -> HttpResponse:
    territory = territory_from_path(level, code)
    context = {
        "territory": territory,
        "level": territory_level(territory),
        "matrix": matrix_read(request.user, territory),
    }
    return render(request, "partnerships/matrix.html", context)
