"""Helpers for the workspace tests: debtors whose local "now" is inside the contact hours."""

import datetime

from django.utils import timezone


def daytime_zone() -> str:
    """An IANA zone (Etc/GMT±N) where it is now between 10:00 and 13:59 on a Monday-Friday,
    so the contact-hour rules allow a call made "now" whatever time the tests run."""
    now = timezone.now()
    for offset in range(-12, 15):
        local = now + datetime.timedelta(hours=offset)
        if 10 <= local.hour <= 13 and local.weekday() < 5 and (local.month, local.day) != (1, 1):
            # Etc/GMT-3 is UTC+3 (POSIX signs are inverted).
            return "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset else "")
    return "Etc/GMT"


def night_zone() -> str:
    """A zone where it is now between 01:00 and 04:59: every contact window is closed."""
    now = timezone.now()
    for offset in range(-12, 15):
        if 1 <= (now + datetime.timedelta(hours=offset)).hour <= 4:
            return "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset else "")
    raise AssertionError("no night zone")
