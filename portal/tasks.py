from celery import shared_task

from portal.services.access import code_send_to
from portal.services.throttle import purge


@shared_task
def portal_purge() -> int:
    """Hourly: drop finished rate-limit windows and day-old access codes (idempotent)."""
    return purge()


@shared_task
def portal_code_send_task(debtor_id: int | None) -> bool:
    """Send a sign-in code to the debtor (None: an unknown document, nothing to send)."""
    return code_send_to(debtor_id=debtor_id) is not None
