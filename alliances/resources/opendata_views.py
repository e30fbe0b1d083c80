"""The published catalogue as open data, for anyone: streamed CSV and JSON."""

from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_safe

from . import opendata


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_safe
def opendata_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        opendata.csv_lines(opendata.records(base_url=_base_url(request))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="ressources.csv"'
    return response


@require_safe
def opendata_json(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(
        opendata.json_chunks(opendata.records(base_url=_base_url(request))),
        content_type="application/json; charset=utf-8",
    )
