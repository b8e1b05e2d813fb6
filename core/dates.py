"""Business-date helpers. Business functions receive `as_of`; only entry points call today()."""

import datetime
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from core.reasons import Reason, reason_register

# Why a business date was refused (stored, e.g., on a payments file's row errors).
DATE_NAIVE = reason_register(
    "date.naive", _("Include the time zone offset (e.g. 2026-12-01T10:00:00-05:00).")
)
DATE_INVALID = reason_register("date.invalid", _("Enter a valid date."))
DATE_OUTSIDE = reason_register("date.outside", _("Enter a date between %(start)s and %(end)s."))

# The dates a person may type into a filter or a form field. Wide enough for any real
# business date, narrow enough that the arithmetic done with them (a day's bounds, the period
# before, a days-past-due range of up to INPUT_DAYS_MAX) stays inside the dates Python and
# PostgreSQL can hold: 9999-12-31 + 1 day or 0001-01-01 - 1 day is an OverflowError.
INPUT_DATE_MIN = date(1900, 1, 1)
INPUT_DATE_MAX = date(2199, 12, 31)
# Days (past due, in a period) a filter may ask for: a century.
INPUT_DAYS_MAX = 36_500


@dataclass(frozen=True)
class DateWindow:
    """How many days before and after its reference date a business date may lie."""

    past: int
    future: int

    def bounds(self, today: date) -> tuple[date, date]:
        return today - datetime.timedelta(days=self.past), today + datetime.timedelta(
            days=self.future
        )


# Every kind of business date a person or a system hands us, and how far from the reference
# date (today at an entry point, the business date `as_of` a service is given) it may be. The
# services enforce these windows; forms and serializers check the same ones to name the field.
BUSINESS_DATE_WINDOWS = {
    # The business date a client names for a write: the last three months' back-office entry,
    # and one day ahead for a caller east of the operation's time zone.
    "as_of": DateWindow(past=92, future=1),
    # When a payment was made: up to ten years back (older arrears come with the portfolio
    # file), never after today (the ledger also refuses any instant after now).
    "paid_at": DateWindow(past=3653, future=0),
    # The date a debtor promises to pay: from the business date to 60 days ahead; a longer
    # horizon is a payment agreement.
    "promised_date": DateWindow(past=0, future=60),
    # When a contact with the debtor happened: up to a year back, never ahead.
    "occurred_at": DateWindow(past=366, future=0),
    # When to call the debtor back: from the business date to a year ahead.
    "callback_at": DateWindow(past=0, future=366),
}


def business_today() -> date:
    """Today's business date in the operation's time zone (entry points only)."""
    return timezone.localdate()


def days_past_due(*, due_date: date, as_of: date) -> int:
    """Days a debt is past due on `as_of`; 0 when not yet due."""
    return max(0, (as_of - due_date).days)


def business_date_validate(
    value: date | datetime.datetime,
    *,
    today: date,
    kind: str | None = None,
    past: int | None = None,
    future: int | None = None,
    field: str | None = None,
) -> date:
    """The date of `value` when it lies in its window around `today`; else ApplicationError.

    The window is BUSINESS_DATE_WINDOWS[kind], or `past`/`future` days when given. A date and
    time is read in the operation's time zone and must be aware: a naive one has no meaning.
    """
    window = BUSINESS_DATE_WINDOWS[kind] if kind else DateWindow(past=0, future=0)
    window = DateWindow(
        past=window.past if past is None else past,
        future=window.future if future is None else future,
    )
    field = field or kind
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            raise ApplicationError(Reason(DATE_NAIVE), field=field)
        day = timezone.localtime(value).date()
    elif isinstance(value, date):
        day = value
    else:
        raise ApplicationError(Reason(DATE_INVALID), field=field)
    start, end = window.bounds(today)
    if not start <= day <= end:
        raise ApplicationError(
            Reason(DATE_OUTSIDE, {"start": start.isoformat(), "end": end.isoformat()}),
            field=field,
        )
    return day
