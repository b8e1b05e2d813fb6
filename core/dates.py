"""Business-date helpers. Business functions receive `as_of`; only entry points call today()."""

from datetime import date

from django.utils import timezone


def business_today() -> date:
    """Today's business date in the operation's time zone (entry points only)."""
    return timezone.localdate()


def days_past_due(*, due_date: date, as_of: date) -> int:
    """Days a debt is past due on `as_of`; 0 when not yet due."""
    return max(0, (as_of - due_date).days)
