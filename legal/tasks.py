"""Legal stage tasks: the daily prescription alerts (idempotent, set-based)."""

from celery import shared_task

from core.dates import business_today
from legal.services.alerts import prescription_alerts_create


@shared_task
def prescription_alerts_task() -> int:
    return prescription_alerts_create(as_of=business_today())
