"""Complaint tasks: deliver what a complaint step sent (idempotent, retried while refused)."""

from celery import shared_task

from complaints.services.common import complaint_event_deliver


@shared_task(bind=True, max_retries=8, default_retry_delay=300)
def complaint_event_deliver_task(self, event_id: int):
    if complaint_event_deliver(event_id=event_id) is False:
        raise self.retry()
