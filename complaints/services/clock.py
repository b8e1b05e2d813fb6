"""The legal clock: dates counted in a country's business days (its holidays) or calendar days."""

import datetime

from complaints.rules import CALENDAR, Term
from messaging.services.compliance.timeutil import holiday_dates

DAY = datetime.timedelta(days=1)


def is_business_day(day: datetime.date, *, country: str) -> bool:
    """Monday to Friday and not a national holiday of `country` (the contact rules' calendar)."""
    if day.weekday() >= 5:
        return False
    calendar = holiday_dates(country)
    return calendar is None or day not in calendar


def days_add(start: datetime.date, days: int, *, unit: str, country: str) -> datetime.date:
    """The day `days` days after `start`, counting from the day after it."""
    if unit == CALENDAR:
        return start + days * DAY
    day, counted = start, 0
    while counted < days:
        day += DAY
        if is_business_day(day, country=country):
            counted += 1
    return day


def due_on(term: Term, *, received_on: datetime.date, country: str) -> datetime.date:
    return days_add(received_on, term.days, unit=term.unit, country=country)


def extended_due_on(term: Term, *, received_on: datetime.date, country: str) -> datetime.date:
    """The latest date an extension may give: the term plus its extension, from the same start."""
    return days_add(received_on, term.days + term.extension_days, unit=term.unit, country=country)


def legend_due_on(term: Term, *, received_on: datetime.date, country: str):
    if not term.legend_days:
        return None
    return days_add(received_on, term.legend_days, unit=term.unit, country=country)


def days_left(due: datetime.date, *, as_of: datetime.date, unit: str, country: str) -> int:
    """Days (in the term's unit) from `as_of` to `due`; negative once past it."""
    if unit == CALENDAR:
        return (due - as_of).days
    if due == as_of:
        return 0
    sign, (low, high) = (1, (as_of, due)) if due > as_of else (-1, (due, as_of))
    count, day = 0, low
    while day < high:
        day += DAY
        if is_business_day(day, country=country):
            count += 1
    return sign * count
