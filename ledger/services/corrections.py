"""Corrections in the books: a payment reversed, a debt written off.

Only the books: the record, the ledger entry and the debt's components. What follows a
reversal in the layers above (agreements, promises, stage, thank-you) is
collections_app.services.reversals; the write-off's stage move is collections_app's manual
transition. Callers hold the debt's row lock (portfolio.services.locks).
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.reasons import Reason, reason_encode
from ledger.models import EntryKind, PaymentReversal, WriteOff, WriteOffReason
from ledger.services.entries import entry_post
from portfolio import reasons
from portfolio.models import Debt, Payment


def payment_ledger_reverse(
    *,
    payment: Payment,
    debt: Debt,
    reason: str,
    note: str,
    source: str,
    business_date: datetime.date,
    user=None,
    provider_event_id: str = "",
) -> PaymentReversal:
    """Mark the payment reversed, record why, and put its allocations back on the debt.

    `debt` is the payment's debt, locked by the caller; it is saved with its components back.
    Its stage is the caller's to move: where it goes depends on agreements and the ladder.
    """
    now = timezone.now()
    payment.reversed_at = now
    payment._history_user = user
    payment.save(update_fields=["reversed_at", "updated_at"])
    reversal = PaymentReversal.objects.create(
        payment=payment,
        reason=reason,
        note=note,
        source=source,
        provider_event_id=provider_event_id,
        business_date=business_date,
        reversed_by=user,
    )
    # The entry mirrors the payment's own (same components, opposite sign), so the ledger's
    # sum per debt is what is owed again; the unique (payment, kind) refuses a second one.
    entry_post(
        debt=debt,
        kind=EntryKind.REVERSAL,
        posted_on=business_date,
        principal=payment.allocated_principal,
        interest=payment.allocated_interest,
        fees=payment.allocated_fees,
        payment_id=payment.pk,
        source_id=reversal.pk,
        user=user,
        memo=f"{payment.reference} {reason}",
    )
    debt.principal += payment.allocated_principal
    debt.interest += payment.allocated_interest
    debt.fees += payment.allocated_fees
    debt.balance = debt.principal + debt.interest + debt.fees
    debt._history_user = user
    debt._change_reason = reason_encode(
        Reason(reasons.PAYMENT_REVERSED, {"reference": payment.reference})
    )
    debt.save(update_fields=["principal", "interest", "fees", "balance", "updated_at"])
    return reversal


def write_off_record(
    *, debt: Debt, reason: str, note: str, business_date: datetime.date, user=None
) -> WriteOff:
    """What the creditor takes off its books, and why: a snapshot of the debt's components.

    The debt keeps them (the debtor still owes; a later payment is a recovery).
    """
    if reason not in WriteOffReason.values:
        raise ApplicationError(_("Choose the reason for the write-off."), field="write_off_reason")
    if WriteOff.objects.filter(debt=debt).exists():
        raise ApplicationError(_("This debt was already written off."), field="transition")
    return WriteOff.objects.create(
        debt=debt,
        reason=reason,
        note=note,
        currency=debt.currency,
        principal=debt.principal,
        interest=debt.interest,
        fees=debt.fees,
        amount=debt.principal + debt.interest + debt.fees,
        business_date=business_date,
        written_off_by=user,
    )
