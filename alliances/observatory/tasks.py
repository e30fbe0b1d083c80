"""Background tasks of the observatory (django.tasks), run by the worker `alliances serve`
starts."""

from django.tasks import task


@task
def import_responses(*, batch_id: int) -> int:
    """Import a waiting response file (see imports.batch_run); returns the rows imported."""
    from .imports import batch_run

    return batch_run(batch_id=batch_id).rows_imported
