"""Rate limits and lockouts, counted in the database per debtor and per (hashed) IP address."""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.models import Throttle


def max_failures() -> int:
    return int(getattr(settings, "CARTERA_PORTAL_MAX_FAILURES", 5))


def lock_minutes() -> int:
    return int(getattr(settings, "CARTERA_PORTAL_LOCK_MINUTES", 15))


def ip_key(ip: str | None) -> str:
    """The IP's key, keyed-hashed: no address is stored in clear."""
    digest = hmac.new(settings.SECRET_KEY.encode(), (ip or "?").encode(), hashlib.sha256)
    return "ip:" + digest.hexdigest()[:40]


def debtor_key(debtor_id: int) -> str:
    return f"debtor:{int(debtor_id)}"


def document_key(document_type: str, number: str) -> str:
    """The key a typed document is counted under when it names no debtor, keyed-hashed.

    It stands in for the debtor's key, so that wrong codes after an unknown document are
    counted (and lock out) exactly as they are after a known one.
    """
    message = f"{document_type}:{number}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256)
    return "document:" + digest.hexdigest()[:40]


def locked_until(keys, *, now=None) -> datetime.datetime | None:
    """The latest lockout in force among the keys, or None."""
    now = now or timezone.now()
    until = (
        Throttle.objects.filter(key__in=list(keys), locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )
    return until


def locks(keys, *, now=None) -> dict[str, datetime.datetime]:
    """The lockouts in force among the keys, by key (one query)."""
    now = now or timezone.now()
    rows = Throttle.objects.filter(key__in=list(keys), locked_until__gt=now)
    return dict(rows.values_list("key", "locked_until"))


@transaction.atomic
def failure_record(keys, *, now=None, limit: int | None = None) -> datetime.datetime | None:
    """Count one failure on every key; returns the lockout end if one starts or is in force."""
    now = now or timezone.now()
    limit = limit or max_failures()
    window = datetime.timedelta(minutes=lock_minutes())
    result = None
    for key in sorted(set(keys)):
        row, _created = Throttle.objects.select_for_update().get_or_create(
            key=key, defaults={"window_started_at": now}
        )
        if row.locked_until and row.locked_until <= now:
            row.failures, row.locked_until, row.window_started_at = 0, None, now
        elif now - row.window_started_at > window and not row.locked_until:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        if row.failures >= limit and not row.locked_until:
            row.locked_until = now + window
        row.save()
        if row.locked_until and (result is None or row.locked_until > result):
            result = row.locked_until
    return result


def success_record(keys) -> None:
    """A correct answer clears the counters of these keys (not a lockout in force)."""
    Throttle.objects.filter(key__in=list(keys), locked_until__isnull=True).delete()


def purge(*, now=None) -> int:
    """Forget counters whose window and lockout are over, and codes older than a day."""
    from portal.models import AccessCode

    now = now or timezone.now()
    window = datetime.timedelta(minutes=lock_minutes())
    stale = Throttle.objects.filter(window_started_at__lt=now - window).exclude(
        locked_until__gt=now
    )
    removed, _detail = stale.delete()
    codes, _detail = AccessCode.objects.filter(
        created_at__lt=now - datetime.timedelta(days=1)
    ).delete()
    return removed + codes
