"""Debts with a ledger history, for the statement's tests."""

import datetime
from decimal import Decimal

from django.utils import timezone

from ledger.models import EntryKind, PaymentReversal, ReversalReason, ReversalSource, WriteOff
from ledger.selectors.statement import Components
from ledger.services.entries import entry_post
from ledger.services.payments import payment_ledger_write
from portfolio.models import Debt, Payment, Stage
from tests.factories.portfolio import DebtFactory


def day(n: int) -> datetime.date:
    """The n-th of November 2026 (a past business day)."""
    return datetime.date(2026, 11, n)


def at(n: int) -> datetime.datetime:
    # 15:00 UTC is 10:00 in Bogotá: the same business day.
    return datetime.datetime(2026, 11, n, 15, 0, tzinfo=datetime.UTC)


def colombian_debt(**fields) -> Debt:
    """1,000,000 principal, 150,000 interest and 20,000 fees owed to a Colombian creditor."""
    values = {
        "stage": Stage.FIRM_NOTICE,
        "principal": Decimal("1000000.00"),
        "interest": Decimal("150000.00"),
        "fees": Decimal("20000.00"),
    }
    values.update(fields)
    return DebtFactory(**values)


def pay(debt: Debt, amount: str, reference: str, n: int, user=None) -> Payment:
    payment, _created = payment_ledger_write(
        creditor=debt.creditor,
        debt=debt,
        amount=Decimal(amount),
        currency=debt.currency,
        paid_at=at(n),
        method=Payment.Method.PSE,
        reference=reference,
        source=Payment.Source.API,
        user=user,
    )
    debt.refresh_from_db()
    return payment


def accrue(debt: Debt, interest: str, n: int) -> None:
    """Late interest of one day: the entry, and the debt's interest raised with it (the daily
    accrual's job, done here by hand)."""
    amount = Decimal(interest)
    entry_post(debt=debt, kind=EntryKind.ACCRUAL, posted_on=day(n), interest=amount)
    Debt.objects.filter(pk=debt.pk).update(
        interest=debt.interest + amount, balance=debt.balance + amount
    )
    debt.refresh_from_db()


def reverse_payment(payment: Payment, n: int, user=None) -> None:
    """A bounced payment undone as the reversal writes it: the record, the entry putting the
    allocation back, the debt's components and the payment's reversed_at."""
    debt = Debt.objects.get(pk=payment.debt_id)
    PaymentReversal.objects.create(
        payment=payment, reason=ReversalReason.BOUNCED, source=ReversalSource.STAFF,
        business_date=day(n), reversed_by=user,
    )  # fmt: skip
    entry_post(
        debt=debt, kind=EntryKind.REVERSAL, posted_on=day(n), payment_id=payment.pk, user=user,
        principal=payment.allocated_principal, interest=payment.allocated_interest,
        fees=payment.allocated_fees,
    )  # fmt: skip
    Debt.objects.filter(pk=debt.pk).update(
        principal=debt.principal + payment.allocated_principal,
        interest=debt.interest + payment.allocated_interest,
        fees=debt.fees + payment.allocated_fees,
        balance=debt.balance + payment.amount,
    )
    Payment.objects.filter(pk=payment.pk).update(reversed_at=timezone.now())


def write_off(debt: Debt, n: int, user=None) -> WriteOff:
    """The debt taken off the creditor's books: the record, and the stage."""
    record = WriteOff.objects.create(
        debt=debt, reason="uncollectible", currency=debt.currency, principal=debt.principal,
        interest=debt.interest, fees=debt.fees, amount=debt.balance, business_date=day(n),
        written_off_by=user,
    )  # fmt: skip
    Debt.objects.filter(pk=debt.pk).update(stage=Stage.WRITTEN_OFF)
    debt.refresh_from_db()
    return record


def components_of(debt: Debt) -> Components:
    debt.refresh_from_db()
    return Components(principal=debt.principal, interest=debt.interest, fees=debt.fees)
