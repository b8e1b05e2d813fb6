"""Money in the ledger for the remittance tests: payments through payment_record, a reversal
entry as the reversal service posts it, and commission rates."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from collections_app.services.payments import payment_record
from ledger.models import EntryKind
from ledger.services.entries import entry_post
from portfolio.models import Debt, Payment

BOGOTA = ZoneInfo("America/Bogota")
NOV = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
AS_OF = datetime.date(2026, 12, 5)  # every period of the tests lies before it


def pay(debt, amount: str, day: datetime.date, *, user=None, reference: str | None = None):
    """A payment of `amount` made at noon (Bogotá) on `day`, through payment_record."""
    payment, created = payment_record(
        creditor=debt.creditor,
        debt=Debt.objects.get(pk=debt.pk),
        amount=Decimal(amount),
        currency=debt.currency,
        paid_at=datetime.datetime.combine(day, datetime.time(12), tzinfo=BOGOTA),
        method="bank_transfer",
        source="manual",
        reference=reference or f"REF-{debt.pk}-{day.isoformat()}-{amount}",
        user=user,
    )
    assert created
    return payment


def reverse(payment: Payment, day: datetime.date):
    """The reversal entry of `payment` on `day` (what the reversal service posts), and the
    payment marked reversed."""
    entry = entry_post(
        debt=Debt.objects.get(pk=payment.debt_id),
        kind=EntryKind.REVERSAL,
        posted_on=day,
        principal=payment.allocated_principal,
        interest=payment.allocated_interest,
        fees=payment.allocated_fees,
        payment_id=payment.pk,
        memo="bounced",
    )
    Payment.objects.filter(pk=payment.pk).update(
        reversed_at=datetime.datetime.combine(day, datetime.time(15), tzinfo=BOGOTA)
    )
    return entry


def set_stage(debt, stage: str) -> None:
    Debt.objects.filter(pk=debt.pk).update(stage=stage)
