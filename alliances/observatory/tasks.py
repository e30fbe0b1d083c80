"""Background tasks of the observatory (django.tasks), run by the worker `alliances serve`
starts."""

from django.tasks import task


@task(takes_context=True)
def import_responses(context, *, batch_id: int) -> int:
    """Import a waiting response file (see imports.batch_run); returns the rows imported.

    Not retried (core.retry): batch_run records its own failures on the batch, which the
    person who sent the file sees, and runs a batch only once. A later attempt of the task
    means the worker of the first one died (tasks_requeue_abandoned put it back in the
    queue): the batch it left running, with nothing written, is taken back and imported from
    the start."""
    from .imports import batch_run

    return batch_run(batch_id=batch_id, resume=context.attempt > 1).rows_imported
