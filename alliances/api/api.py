from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from .cohorts import router as cohorts_router
from .organisations import router as organisations_router
from .territories import router as territories_router

# The body of every error answer: a bad parameter is {"message", "detail": [errors]}, an
# unknown code or object is {"detail": "…"}, the observatory's are {"message": "…"}.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "message": {"type": "string"},
        "detail": {"anyOf": [{"type": "string"}, {"type": "array"}]},
    },
}
NUL_REFUSED = "A parameter holds a NUL character."


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}


class AlliancesAPI(NinjaAPI):
    """The API whose document also declares the error answers every operation can give.

    ninja documents only the answers an operation lists, but any parameter can be refused
    (400, see `validation_error`) and anything named in the path can be missing (404): a
    client, or schemathesis in CI, must find those in the document too.
    """

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for path, operations in schema["paths"].items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                responses.setdefault(400, _error("Invalid or unknown parameter"))
                if "{" in path:
                    responses.setdefault(404, _error("Not found, or not visible to you"))
        return schema

    def create_temporal_response(self, request: HttpRequest) -> HttpResponse:
        """Refuse a NUL character anywhere in the path or the query string, before any
        operation reads its parameters: PostgreSQL cannot store or compare text holding one,
        and a lookup with it was a 500 (found by schemathesis on GET /resources). Answered
        like any refused parameter, see `validation_error`."""
        query = [*request.GET.keys(), *(v for _, values in request.GET.lists() for v in values)]
        for where, texts in (("path", [request.path]), ("query", query)):
            if any("\x00" in text for text in texts):
                raise ValidationError([{"loc": [where], "msg": NUL_REFUSED}])
        return super().create_temporal_response(request)


api = AlliancesAPI(
    title="Alliances API",
    version="1",
    description=(
        "Read-only open data of the Alliances platform: territories, organisations and the "
        "cohorts of the parcours."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/territories", territories_router)
api.add_router("/organisations", organisations_router)
api.add_router("/cohorts", cohorts_router)
api.add_router("/diagnostics", "alliances.diagnostics.api.router")
api.add_router("/resources", "alliances.resources.api.router")
api.add_router("/observatory", "alliances.observatory.api.router")
api.add_router("/alliances", "alliances.api.alliances.router")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A bad parameter is the client's fault: 400 with the details (ninja says 422)."""
    return api.create_response(
        request, {"message": "Invalid request parameters.", "detail": exc.errors}, status=400
    )
