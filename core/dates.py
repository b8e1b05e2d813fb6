"""Business-date helpers. Business functions receive `as_of`; only entry points call today()."""

from datetime import date

from django.utils import timezone

# The dates a person may type into a filter or a form field. Wide enough for any real
# business date, narrow enough that the arithmetic done with them (a day's bounds, the period
# before, a days-past-due range of up to INPUT_DAYS_MAX) stays inside the dates Python and
# PostgreSQL can hold: 9999-12-31 + 1 day or 0001-01-01 - 1 day is an OverflowError.
INPUT_DATE_MIN = date(1900, 1, 1)
INPUT_DATE_MAX = date(2199, 12, 31)
# Days (past due, in a period) a filter may ask for: a century.
INPUT_DAYS_MAX = 36_500


def business_today() -> date:
    """Today's business date in the operation's time zone (entry points only)."""
    return timezone.localdate()


def days_past_due(*, due_date: date, as_of: date) -> int:
    """Days a debt is past due on `as_of`; 0 when not yet due."""
    return max(0, (as_of - due_date).days)
