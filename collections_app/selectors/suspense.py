"""Reads of the suspense queue: items scoped to the creditors the user manages."""

import datetime

from django.db.models import Prefetch, Q, QuerySet

from core.scoping import scope_for_user
from ledger.models import SuspenseItem, SuspenseMovement
from portfolio.models import OPEN_STAGES, Debt, Stage


def suspense_queryset(*, user) -> QuerySet:
    """Every suspense item the user may see (managers: their creditors; admins: all)."""
    return scope_for_user(
        SuspenseItem.objects.select_related("creditor", "debtor", "debt"), user=user
    )


def suspense_list(*, user, filters: dict) -> QuerySet:
    """The queue: open items first, the oldest first (longest waiting), then resolved ones."""
    items = suspense_queryset(user=user)
    if filters.get("creditor"):
        items = items.filter(creditor_id=filters["creditor"])
    if filters.get("status"):
        items = items.filter(status=filters["status"])
    if filters.get("reason"):
        items = items.filter(reason=filters["reason"])
    if filters.get("currency"):
        items = items.filter(currency=filters["currency"].upper())
    received_from: datetime.date | None = filters.get("received_from")
    received_to: datetime.date | None = filters.get("received_to")
    if received_from:
        items = items.filter(received_at__date__gte=received_from)
    if received_to:
        items = items.filter(received_at__date__lte=received_to)
    if filters.get("q"):
        q = filters["q"].strip()
        items = items.filter(
            Q(reference__icontains=q) | Q(quoted_reference__icontains=q) | Q(debt__debt_ref=q)
        )
    return items.order_by("status", "received_at", "id")  # "open" sorts before "resolved"


def suspense_get(*, user, pk: int) -> SuspenseItem | None:
    """One item the user may see, with its movements (who, when, the payment made)."""
    movements = SuspenseMovement.objects.select_related("created_by", "payment__debt")
    return (
        suspense_queryset(user=user)
        .prefetch_related(Prefetch("movements", queryset=movements))
        .filter(pk=pk)
        .first()
    )


def suspense_target_debts(*, item: SuspenseItem) -> list[Debt]:
    """The debts the item may be applied to when it names its debtor: their open ones in the
    item's currency with something owed (an unknown payer's item is looked up by reference)."""
    if item.debtor_id is None:
        return []
    return list(
        Debt.objects.filter(
            creditor_id=item.creditor_id,
            debtor_id=item.debtor_id,
            currency=item.currency,
            stage__in=[*OPEN_STAGES, Stage.WRITTEN_OFF],
            balance__gt=0,
        ).order_by("debt_ref")
    )


def suspense_debt_by_ref(*, item: SuspenseItem, debt_ref: str) -> Debt | None:
    """A debt of the item's creditor by its reference (staff identified an unknown payer)."""
    return Debt.objects.filter(creditor_id=item.creditor_id, debt_ref=debt_ref.strip()).first()
