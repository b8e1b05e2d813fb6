"""Legal stage tasks: the daily prescription alerts (idempotent, set-based)."""

import datetime

from celery import shared_task

from core.dates import business_today
from legal.services.alerts import prescription_alerts_create


@shared_task
def prescription_alerts_task(as_of: str | None = None) -> int:
    """Beat runs it daily for today; a past business date (ISO) may be replayed."""
    day = datetime.date.fromisoformat(as_of) if as_of else business_today()
    return prescription_alerts_create(as_of=day)
