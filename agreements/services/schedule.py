"""Exact instalment schedules: Decimal cents, the rounding remainder on the last instalment.

The down payment, when there is one, is instalment number 0, due on the first due date; the
regular instalments 1..n follow one period apart. Without a down payment instalment 1 is due
on the first due date. The amounts always add up to the agreed total, to the cent.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.money import CENT

WEEKLY, FORTNIGHTLY, MONTHLY = "weekly", "fortnightly", "monthly"


@dataclass(frozen=True)
class ScheduleLine:
    number: int
    due_date: datetime.date
    amount: Decimal


def due_date_for(*, first_due_date: datetime.date, frequency: str, periods: int) -> datetime.date:
    """The date `periods` periods after the first due date (months anchored on the first)."""
    if frequency == WEEKLY:
        return first_due_date + datetime.timedelta(days=7 * periods)
    if frequency == FORTNIGHTLY:
        return first_due_date + datetime.timedelta(days=14 * periods)
    if frequency == MONTHLY:
        # Anchored on the first date, so 31 Jan → 28 Feb → 31 Mar (no drift to the 28th).
        return first_due_date + relativedelta(months=periods)
    raise ApplicationError(
        _("Unknown frequency %(value)s.") % {"value": frequency}, field="frequency"
    )


def schedule_build(
    *,
    agreed_total: Decimal,
    down_payment: Decimal,
    instalment_count: int,
    frequency: str,
    first_due_date: datetime.date,
) -> list[ScheduleLine]:
    """The schedule of an agreement; the sum of the amounts is exactly `agreed_total`."""
    if instalment_count < 1:
        raise ApplicationError(_("At least one instalment is needed."), field="instalment_count")
    if down_payment < 0 or down_payment >= agreed_total:  # checked before rounding
        raise ApplicationError(
            _("The down payment must be at least zero and less than the agreed total."),
            field="down_payment",
        )
    agreed_total, down_payment = agreed_total.quantize(CENT), Decimal(down_payment).quantize(CENT)
    financed = agreed_total - down_payment
    regular = (financed / instalment_count).quantize(CENT, rounding=ROUND_DOWN)
    if regular <= 0:
        raise ApplicationError(
            _("Too many instalments for this amount: each must be at least 0.01."),
            field="instalment_count",
        )
    lines = []
    offset = 0
    if down_payment > 0:
        lines.append(ScheduleLine(0, first_due_date, down_payment))
        offset = 1
    for number in range(1, instalment_count + 1):
        amount = regular if number < instalment_count else financed - regular * (number - 1)
        due = due_date_for(
            first_due_date=first_due_date, frequency=frequency, periods=number - 1 + offset
        )
        lines.append(ScheduleLine(number, due, amount))
    return lines


def split_shares(*, total: Decimal, balances: list[Decimal]) -> list[Decimal]:
    """Split `total` over debts in proportion to their balances; the remainder on the last."""
    whole = sum(balances, Decimal(0))
    shares = [(total * b / whole).quantize(CENT, rounding=ROUND_DOWN) for b in balances[:-1]]
    return [*shares, total - sum(shares, Decimal(0))]
