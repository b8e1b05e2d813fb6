"""Thin Celery tasks: take ids, call a service; safe to run twice."""

import datetime
import logging

from celery import shared_task
from django.conf import settings

from core.dates import business_today
from messaging.services.sending import TransientSendError

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def dispatch_due(limit: int | None = None) -> int:
    """Beat, every minute: plan today's pending actions, claim due messages, fan out batches.

    `limit` caps how many this call claims (beat passes none: every batch it may).
    """
    from messaging.services.dispatch import messages_claim_due
    from messaging.services.planning import messages_plan

    messages_plan(business_date=business_today())
    claimed = 0
    for _round in range(settings.CARTERA_DISPATCH_MAX_BATCHES):
        size = settings.CARTERA_DISPATCH_BATCH
        if limit is not None:
            size = min(size, limit - claimed)
            if size <= 0:
                break
        token, ids = messages_claim_due(limit=size)
        if not ids:
            break
        send_batch.delay(ids, token)
        claimed += len(ids)
    return claimed


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_batch(message_ids: list[int], claim_token: str | None = None) -> int:
    """Send a claimed batch; each transient failure gets its own retried task."""
    from messaging.services.dispatch import messages_send_batch

    result = messages_send_batch(message_ids=message_ids, claim_token=claim_token)
    for message_id in result.retry:
        send_message.apply_async((message_id, claim_token), countdown=30)
    return result.sent


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientSendError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=5,
)
def send_message(self, message_id: int, claim_token: str | None = None) -> str:
    """Send one message; a transient provider error retries with exponential backoff."""
    from messaging.services.sending import message_send

    last_try = self.request.retries >= self.max_retries
    return message_send(message_id=message_id, claim_token=claim_token, last_try=last_try).status


@shared_task(acks_late=True)
def plan_messages(business_date: str, action_ids: list[int] | None = None) -> int:
    """Plan messages from planned ContactActions of a date (e.g. a thank-you after a payment)."""
    from messaging.services.planning import messages_plan

    day = datetime.date.fromisoformat(business_date)
    return messages_plan(business_date=day, action_ids=action_ids).planned


@shared_task(acks_late=True)
def letters_print_batch_task(business_date: str | None = None) -> int:
    """Evening: gather the day's letters into one print file for certified mail."""
    from messaging.services.letters import letters_print_batch

    day = datetime.date.fromisoformat(business_date) if business_date else business_today()
    return letters_print_batch(business_date=day).letters
