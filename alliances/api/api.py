from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from .cohorts import router as cohorts_router
from .organisations import router as organisations_router
from .territories import router as territories_router

api = NinjaAPI(
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
