"""Background tasks of the diagnostics (django.tasks), run by the worker `alliances serve`
starts."""

from django.tasks import task

from alliances.core.retry import retried


@task
@retried()
def build_cohort_pdfs(*, cohort_id: int, request_id: str) -> int:
    """Every feuille de route of a promotion as PDFs in one ZIP (see pdf.cohort_pdfs_build).

    Retried after a passing error (a full disk…): the ZIP is written again from the start."""
    from .pdf import cohort_pdfs_build

    return cohort_pdfs_build(cohort_id=cohort_id, request_id=request_id)
