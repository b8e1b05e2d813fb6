"""What the books say a debt owed on a past day: the closing balance of its ledger statement up
to that day (ledger.selectors.statement), and the payments applied up to then."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from ledger.selectors.statement import debt_statement
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
    statement = debt_statement(debt=debt, date_to=as_of)
    closing = statement.closing
    return BooksAsOf(
        as_of=as_of,
        currency=debt.currency,
        principal=closing.principal,
        interest=closing.interest,
        fees=closing.fees,
        balance=closing.balance,
        payments=[application.payment for application in statement.payments],
    )
