"""/ressources/: the public centre, contributions and review, collections."""

from . import collection_urls, contribution_urls, opendata_urls, public_urls

app_name = "resources"

urlpatterns = [
    *opendata_urls.urlpatterns,
    *public_urls.urlpatterns,
    *contribution_urls.urlpatterns,
    *collection_urls.urlpatterns,
]
