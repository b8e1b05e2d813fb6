"""Helpers for the workspace tests: debtors whose local "now" is inside the contact hours."""

import datetime

from django.utils import timezone


def daytime_zone() -> str:
    """An IANA zone (Etc/GMT±N) where a Colombian debtor may lawfully be called now and for the
    next hour, asked of the compliance engine itself (weekday and Saturday hours, Sundays and
    Colombian holidays), so the contact-hour rules allow a call made "now" whatever day and time
    the tests run on, wherever the engine allows one."""
    from messaging import compliance

    now = timezone.now()
    rules = compliance.rules_for(country="CO")
    for offset in (*range(-2, 15), *range(-12, -2)):  # midday zones first
        zone = "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset else "")
        local = now + datetime.timedelta(hours=offset)
        if not 9 <= local.hour <= 13:
            continue
        allowed = all(
            compliance.compliance_check(
                contact=compliance.Contact(
                    debtor_id=1, creditor_id=1, country="CO", region="", timezone=zone,
                    channel="voice", at=now + datetime.timedelta(minutes=minutes),
                    stage="firm_notice", purpose="collection", consented=True,
                    holds=frozenset(),
                ),
                history=[],
                rules=rules,
            ).allowed
            for minutes in (0, 60)
        )  # fmt: skip
        if allowed:
            return zone
    raise AssertionError("no zone where a Colombian debtor may be called now (a Sunday?)")


def night_zone() -> str:
    """A zone where it is now between 01:00 and 04:59: every contact window is closed."""
    now = timezone.now()
    for offset in range(-12, 15):
        if 1 <= (now + datetime.timedelta(hours=offset)).hour <= 4:
            return "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset else "")
    raise AssertionError("no night zone")
