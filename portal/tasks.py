from celery import shared_task

from portal.services.throttle import purge


@shared_task
def portal_purge() -> int:
    """Hourly: drop finished rate-limit windows and day-old access codes (idempotent)."""
    return purge()
