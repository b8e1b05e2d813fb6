"""What the books say a debt owed on a past day: today's balance with the later payments added
back to the parts they were allocated to (the ledger's allocation, not a recomputation)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from portfolio.models import Debt, Payment


@dataclass
class BooksAsOf:
    as_of: datetime.date
    currency: str
    principal: Decimal
    interest: Decimal
    fees: Decimal
    balance: Decimal
    payments: list[Payment] = field(default_factory=list)


def debt_books_as_of(*, debt: Debt, as_of: datetime.date) -> BooksAsOf:
    """The debt's principal, interest, fees and balance at the end of `as_of`, and the payments
    received up to then (oldest first)."""
    later = Payment.objects.filter(debt=debt, paid_at__date__gt=as_of).aggregate(
        principal=Sum("allocated_principal"),
        interest=Sum("allocated_interest"),
        fees=Sum("allocated_fees"),
        amount=Sum("amount"),
    )
    zero = Decimal(0)
    payments = list(
        Payment.objects.filter(debt=debt, paid_at__date__lte=as_of).order_by("paid_at", "id")
    )
    return BooksAsOf(
        as_of=as_of,
        currency=debt.currency,
        principal=debt.principal + (later["principal"] or zero),
        interest=debt.interest + (later["interest"] or zero),
        fees=debt.fees + (later["fees"] or zero),
        balance=debt.balance + (later["amount"] or zero),
        payments=payments,
    )
