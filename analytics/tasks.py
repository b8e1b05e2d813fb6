"""Celery tasks of analytics: thin, idempotent, they take a business date and call a service."""

import datetime

from celery import shared_task

from analytics.services.nightly import nightly_run
from core.dates import business_today


@shared_task(acks_late=True)
def nightly_run_task(as_of: str | None = None) -> str:
    """Segments, behaviour scores and KPI snapshots for a business date (a rerun is a no-op)."""
    day = datetime.date.fromisoformat(as_of) if as_of else business_today()
    return str(nightly_run(as_of=day).as_of)
