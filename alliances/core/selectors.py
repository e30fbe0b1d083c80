"""Live platform figures for the home page: zero until a part exists."""

from django.apps import apps
from django.db.models import Count


def platform_figures() -> dict[str, int]:
    Organisation = apps.get_model("actors", "Organisation")
    public = Organisation.objects.public()
    figures = public.aggregate(
        organisations=Count("id"), communes=Count("commune", distinct=True)
    )
    return {
        "organisations": figures["organisations"],
        "territories": figures["communes"],
        "alliances": _count_if_installed("alliances", "Alliance"),
        "cohorts": _count_if_installed("journeys", "Cohort"),
        "resources": _count_if_installed("resources", "Resource"),
    }


def _count_if_installed(app_label: str, model_name: str) -> int:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return 0
    return model.objects.count()
