"""The observatory's pages: the waves one may see, and a wave's dashboard with its downloads.

The dashboard is a GET form: its query string (`question`, `by`, `filter`, `option`) is the
whole selection, the same as the API's, so a URL can be shared and the downloads give
exactly what is shown. htmx swaps the results region and pushes the URL; without
JavaScript the form reloads the page.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from alliances.actors.selectors import wants_fragment

from . import analysis, charts, dataset, exports, selectors
from .models import Wave


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    waves = selectors.visible_waves(request.user)
    context = {
        "surveys": selectors.waves_by_survey(waves),
        "can_see_unpublished": selectors.can_see_unpublished(request.user),
    }
    return render(request, "observatory/index.html", context)


def _wave_or_404(request: HttpRequest, pk: int) -> Wave:
    wave = selectors.visible_wave(request.user, pk)
    if wave is None:
        raise Http404
    return wave


@require_GET
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    wave = _wave_or_404(request, pk)
    context = selectors.dashboard_read(request.user, wave, request.GET)
    template = "observatory/dashboard/wave.html"
    if wants_fragment(request):
        template += "#results"
    response = render(request, template, context, status=400 if context["error"] else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _selected(request: HttpRequest, pk: int):
    wave = _wave_or_404(request, pk)
    data = dataset.wave_data(wave)
    selection = selectors.selection_read(request.GET, data)
    results = selectors.results_for(request.user, wave, data, selection)
    return wave, selection, results, selectors.by_labels(data, selection)


def _attachment(content: bytes, content_type: str, wave: Wave, code: str, ext: str):
    response = HttpResponse(content, content_type=content_type)
    name = slugify(f"{wave.survey.slug} {wave.label} {code}") or "resultats"
    response["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    if not wave.is_published:
        response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def download_csv(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        wave, selection, results, _labels = _selected(request, pk)
    except analysis.UnknownCode as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    return _attachment(exports.results_csv(results), "text/csv; charset=utf-8", wave,
                       selection.question, "csv")


@require_GET
def download_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        wave, selection, results, _labels = _selected(request, pk)
    except analysis.UnknownCode as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    header = exports.Header(selectors.header_lines(wave, results))
    return _attachment(
        exports.results_xlsx(results, header),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        wave, selection.question, "xlsx",
    )


@require_GET
def download_svg(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        wave, selection, results, labels = _selected(request, pk)
    except analysis.UnknownCode as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    svg = charts.results_chart(results, focus=selection.focus, by_labels=labels,
                               standalone=True)
    return _attachment(svg.encode(), "image/svg+xml", wave, selection.question, "svg")

