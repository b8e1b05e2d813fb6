"""Celery tasks of file imports: thin, idempotent, they take ids and call a service."""

from celery import shared_task

from imports.services.portfolio_file import import_batch_run


@shared_task(acks_late=True)
def import_batch_run_task(batch_id: int) -> None:
    """Run one import batch: a pending one, or one a dead worker abandoned; never twice at once."""
    import_batch_run(batch_id=batch_id)
