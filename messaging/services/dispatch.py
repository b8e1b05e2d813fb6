"""Dispatch: claim due messages in batches (a lease), hand each batch to a worker task.

`messages_claim_due` runs in beat's task every minute: it locks due, unclaimed (or abandoned)
rows with `FOR UPDATE SKIP LOCKED`, stamps them with a claim token and commits; the batch task
sends them together (`messages_send`: one transaction, a few statements for the whole batch).
A claim older than the lease belongs to a worker that died: the next tick claims those
messages again (a late original task then finds a newer token and skips).
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from messaging.models import Message
from messaging.services.sending import messages_send


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CARTERA_DISPATCH_LEASE_SECONDS)


def messages_claim_due(*, now=None, limit: int | None = None) -> tuple[str, list[int]]:
    """Claim up to `limit` due messages; returns (claim token, ids) — empty when none are due."""
    now = now or timezone.now()
    return _claim(Q(planned_for__lte=now), now=now, limit=limit)


def _claim(which: Q, *, now, limit: int | None, exclude=()) -> tuple[str, list[int]]:
    """Claim up to `limit` planned messages matching `which`, unclaimed or abandoned, in
    planned order, skipping rows another claimer holds; (claim token, ids)."""
    limit = limit or settings.CARTERA_DISPATCH_BATCH
    token = str(uuid.uuid4())
    with transaction.atomic():
        rows = (
            Message.objects.filter(which, status=Message.Status.PLANNED)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease()))
            .order_by("planned_for", "id")
        )
        if exclude:
            rows = rows.exclude(id__in=list(exclude))
        ids = list(rows.select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
        if ids:
            Message.objects.filter(id__in=ids).update(claim_token=token, claimed_at=now)
    return token, ids


@dataclass
class BatchResult:
    sent: int = 0
    closed: int = 0
    retry: list[int] | None = None
    skipped: int = 0


def messages_send_batch(*, message_ids, claim_token=None) -> BatchResult:
    """Send a claimed batch; transient failures are returned for a retried task each."""
    result = BatchResult(retry=[])
    outcomes = messages_send(message_ids=message_ids, claim_token=claim_token)
    for message_id in dict.fromkeys(message_ids):
        outcome = outcomes[message_id]
        if outcome.status == "retry":
            result.retry.append(message_id)
        elif outcome.status in (Message.Status.SENT, Message.Status.DELIVERED):
            result.sent += 1
        elif outcome.status == "skipped":
            result.skipped += 1
        else:
            result.closed += 1
    return result


def messages_claim_date(
    *, business_date: datetime.date, now=None, limit: int | None = None, exclude=()
) -> tuple[str, list[int]]:
    """Claim up to `limit` planned messages of a business date, due or not (a replayed or
    simulated date); like `messages_claim_due`, unclaimed or abandoned rows only, and not the
    ids in `exclude` (already tried by the caller)."""
    now = now or timezone.now()
    return _claim(Q(business_date=business_date), now=now, limit=limit, exclude=exclude)


def messages_dispatch_date(*, business_date: datetime.date) -> dict[str, int]:
    """Deliver, now and in this process, every planned message of a business date.

    For demos and simulations (`run_cycle --dispatch`): the batch path the dispatch task uses
    (claim a batch with a token, send it in one transaction, a few statements for the whole
    batch), each message checked as at its planned moment, so replaying a past date sends
    what would have gone out that day. Exactly once: a message is sent under its claim, in
    the transaction that marks it sent; a second run finds nothing planned.
    """
    counts: dict[str, int] = {}
    # Messages left planned by a batch (locked by a worker meanwhile): not claimed again here.
    left: set[int] = set()
    while True:
        token, ids = messages_claim_date(business_date=business_date, exclude=left)
        if not ids:
            break
        outcomes = messages_send(
            message_ids=ids, claim_token=token, simulate_planned=True, last_try=True
        )
        for message_id in ids:
            status = outcomes[message_id].status
            counts[status] = counts.get(status, 0) + 1
            if status in ("skipped", "retry"):
                left.add(message_id)
    return counts
