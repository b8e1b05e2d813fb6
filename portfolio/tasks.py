"""Celery tasks of the portfolio domain: thin, idempotent, they take ids and call a service."""

from celery import shared_task

from portfolio.services.imports import import_batch_run


@shared_task(acks_late=True)
def import_batch_run_task(batch_id: int) -> None:
    """Run one import batch: a pending one, or one a dead worker abandoned; never twice at once."""
    import_batch_run(batch_id=batch_id)


@shared_task(acks_late=True)
def nightly_run_task(as_of: str | None = None) -> str:
    """Segments, behaviour scores and KPI snapshots for a business date (a rerun is a no-op)."""
    import datetime

    from core.dates import business_today
    from portfolio.segmentation.nightly import nightly_run

    day = datetime.date.fromisoformat(as_of) if as_of else business_today()
    return str(nightly_run(as_of=day).as_of)
