"""Posting entries: the one writer of single ledger rows (bulk writers insert set-based)."""

import datetime
from decimal import Decimal

from core.dates import days_past_due
from ledger.models import LedgerEntry
from portfolio.models import Debt


def entry_post(
    *,
    debt: Debt,
    kind: str,
    posted_on: datetime.date,
    principal: Decimal = Decimal(0),
    interest: Decimal = Decimal(0),
    fees: Decimal = Decimal(0),
    payment_id: int | None = None,
    source_id: int | None = None,
    user=None,
    memo: str = "",
) -> LedgerEntry:
    """Post one signed movement of `debt` as it stands now (its stage and days past due)."""
    return LedgerEntry.objects.create(
        debt_id=debt.pk,
        creditor_id=debt.creditor_id,
        currency=debt.currency,
        kind=kind,
        posted_on=posted_on,
        principal=principal,
        interest=interest,
        fees=fees,
        amount=principal + interest + fees,
        payment_id=payment_id,
        stage=debt.stage,
        days_past_due=max(days_past_due(due_date=debt.due_date, as_of=posted_on), 0),
        source_id=source_id,
        user_id=getattr(user, "pk", None),
        memo=memo[:255],
    )
