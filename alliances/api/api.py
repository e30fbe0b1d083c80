from ninja import NinjaAPI

api = NinjaAPI(
    title="Alliances API",
    version="1",
    description="Read-only open data of the Alliances platform: territories and organisations.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
