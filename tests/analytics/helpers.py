"""Building a hand-made portfolio day by day, and running the nightly job on chosen dates."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from analytics.services.nightly import nightly_run
from portfolio.models import Debt, Payment, Stage, StageChange

BOGOTA = ZoneInfo("America/Bogota")


def at(day: datetime.date, hour: int = 15) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=BOGOTA)


def pay(debt: Debt, amount: str, day: datetime.date, ref: str) -> Payment:
    """A payment received on `day`; the debt's balance drops, and closes at zero."""
    amount = Decimal(amount)
    payment = Payment.objects.create(
        creditor=debt.creditor,
        debt=debt,
        amount=amount,
        currency=debt.currency,
        paid_at=at(day),
        method=Payment.Method.PSE,
        source=Payment.Source.MANUAL,
        reference=ref,
        allocated_principal=amount,
    )
    debt.refresh_from_db()
    principal = debt.principal - amount
    values = {"principal": principal, "interest": 0, "fees": 0, "balance": principal}
    if principal == 0:
        values.update(stage=Stage.PAID, stage_entered_on=day)
        StageChange.objects.create(
            debt=debt,
            from_stage=debt.stage,
            to_stage=Stage.PAID,
            transition="mark_paid",
            business_date=day,
            occurred_at=at(day),
        )
    Debt.objects.filter(pk=debt.pk).update(**values)
    return payment


def move_due(debt: Debt, due: datetime.date) -> None:
    Debt.objects.filter(pk=debt.pk).update(due_date=due)


def run(day: datetime.date):
    return nightly_run(as_of=day)


def now_is_after(day: datetime.date) -> bool:
    return timezone.localdate() > day
