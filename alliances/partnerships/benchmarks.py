"""The national benchmarks of partners for the observatory's demo barometers: which option of
which question stands for which pair of actor types (see PartnerBenchmark)."""

from django.db import transaction

from alliances.actors.models import OrganisationType as T
from alliances.observatory import demo
from alliances.observatory.models import Survey

from .models import PartnerBenchmark

# (survey slug, question code) → {option code: (respondents' type, partners' type)}. One
# option per pair of types, the clearest: the associations' "communes ou
# intercommunalités" stands for local authorities, not the département or the région.
DEMO_BENCHMARKS: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    (demo.ASSOCIATIONS, "q15"): {
        "communes": (T.ASSOCIATION, T.COLLECTIVITE),
        "autres_associations": (T.ASSOCIATION, T.ASSOCIATION),
        "entreprises": (T.ASSOCIATION, T.ENTREPRISE),
        "etablissements_scolaires": (T.ASSOCIATION, T.ENSEIGNEMENT),
        "fondations": (T.ASSOCIATION, T.FONDATION),
    },
    (demo.MAIRES, "q14"): {
        "associations": (T.COLLECTIVITE, T.ASSOCIATION),
        "entreprises": (T.COLLECTIVITE, T.ENTREPRISE),
        "etablissements_scolaires": (T.COLLECTIVITE, T.ENSEIGNEMENT),
        "fondations": (T.COLLECTIVITE, T.FONDATION),
    },
}


@transaction.atomic
def partner_benchmarks_demo() -> int:
    """Map the demo barometers' partner questions to pairs of actor types. Idempotent: a
    pair already mapped for a survey is left as it is; a survey that is absent (the
    observatory's demo not loaded) is skipped. Returns the number of rows created."""
    surveys = Survey.objects.in_bulk({slug for slug, _code in DEMO_BENCHMARKS}, field_name="slug")
    created = 0
    for (slug, question), options in DEMO_BENCHMARKS.items():
        survey = surveys.get(slug)
        if survey is None:
            continue
        for option, (from_type, to_type) in options.items():
            _row, made = PartnerBenchmark.objects.get_or_create(
                survey=survey, from_type=from_type, to_type=to_type,
                defaults={"question_code": question, "option_code": option},
            )
            created += made
    return created
