"""Background tasks of the observatory (django.tasks), run by the worker `alliances serve`
starts."""

from django.tasks import task


@task
def import_responses(*, batch_id: int) -> int:
    """Import a waiting response file (see imports.batch_run); returns the rows imported.

    Not retried (core.retry): batch_run records its own failures on the batch, which the
    person who sent the file sees, and runs a batch only once."""
    from .imports import batch_run

    return batch_run(batch_id=batch_id).rows_imported
