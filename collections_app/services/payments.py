"""What happens after a payment: the ledger write first, then agreements, stage, thank-you.

The books (portfolio) write the payment and move a paid-off debt to `paid`; this module runs
what the layers above the books add to it, in the same transaction: instalments and agreement
completion (agreements), then the thank-you message (messaging).

Rows are locked in the order portfolio.services.locks documents (debts, then agreements), and
a transaction PostgreSQL aborts as a deadlock victim is run again (idempotent by reference).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from agreements.services.allocation import agreement_debt_group, agreements_after_payment
from collections_app.hooks import payments_applied
from core.transactions import atomic_with_retry
from ledger.services.payments import payment_ledger_write
from messaging.services.thanks import payment_thanks_plan, payment_thanks_plan_bulk
from portfolio.models import Creditor, Debt, Payment, Stage


@atomic_with_retry
def payment_record(
    *,
    creditor: Creditor,
    debt: Debt | None = None,
    debt_ref: str | None = None,
    amount: Decimal,
    currency: str,
    paid_at: datetime.datetime,
    method: str,
    reference: str,
    source: str,
    user=None,
) -> tuple[Payment, bool]:
    """Record one payment (idempotent by reference) and what follows it; (payment, created)."""
    payment, created = payment_ledger_write(
        creditor=creditor,
        debt=debt,
        debt_ref=debt_ref,
        amount=amount,
        currency=currency,
        paid_at=paid_at,
        method=method,
        reference=reference,
        source=source,
        user=user,
        # Debts an open agreement binds to this one are locked with it, in id order.
        lock_group=agreement_debt_group,
    )
    if created:
        debt = payment.debt
        # Agreements on this debt: instalments, completion (same transaction, idempotent).
        agreements_after_payment(debt_ids=[debt.pk])
        if debt.stage == Stage.PAID:
            # A thank-you on the debtor's best consented channel (a ContactAction).
            payment_thanks_plan(debt=debt, business_date=debt.stage_entered_on)
        payments_applied.call_all(
            debt_ids=[debt.pk], business_date=timezone.localdate(payment.paid_at)
        )
    return payment, created


def payments_after_bulk(
    *, debt_ids: list[int], paid_ids: list[int], business_date: datetime.date
) -> None:
    """After a payments file wrote its payments: agreements, then thank-yous, set-based."""
    agreements_after_payment(debt_ids=debt_ids)
    if paid_ids:
        payment_thanks_plan_bulk(debt_ids=paid_ids, business_date=business_date)
    payments_applied.call_all(debt_ids=debt_ids, business_date=business_date)
