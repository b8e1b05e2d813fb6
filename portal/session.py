"""The portal's own sign-in, kept in the session apart from staff authentication."""

import time
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.shortcuts import redirect
from django.utils import timezone

from core.formatting import reader_country

KEY = "portal"


def session_seconds() -> int:
    return int(getattr(settings, "CARTERA_PORTAL_SESSION_SECONDS", 15 * 60))


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or ""


def pending_set(
    request, *, debtor_id: int | None, step: str, via: str = "link", stand_in: str | None = None
) -> None:
    """Remember who is being verified (None for an unknown document: same flow, no code).

    `stand_in` is the throttle key an unknown document's wrong codes are counted under.
    """
    request.session[KEY] = {
        "pending": debtor_id,
        "step": step,
        "via": via,
        "stand_in": stand_in,
        "since": int(time.time()),
    }


def pending(request) -> dict:
    data = request.session.get(KEY) or {}
    return data if "pending" in data else {}


def sign_in(request, debtor_id: int, *, tz: str = "", country: str = "") -> None:
    # A new session key on sign-in: a fixed session id cannot be reused by someone else.
    request.session.cycle_key()
    now = int(time.time())
    request.session[KEY] = {
        "debtor": int(debtor_id),
        "since": now,
        "seen": now,
        "tz": tz,
        "country": country,
    }
    request.session.set_expiry(session_seconds())


def sign_out(request) -> None:
    request.session.pop(KEY, None)
    request.session.cycle_key()


def debtor_id(request) -> int | None:
    """The signed-in debtor, or None when not signed in or idle for too long."""
    data = request.session.get(KEY) or {}
    value = data.get("debtor")
    if not isinstance(value, int):
        return None
    now = int(time.time())
    if now - int(data.get("seen", 0)) > session_seconds():
        request.session.pop(KEY, None)
        return None
    data["seen"] = now
    request.session[KEY] = data
    return value


def portal_login_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        value = debtor_id(request)
        if value is None:
            return redirect("portal:home")
        request.portal_debtor_id = value
        # Times the debtor reads and types (call-backs, hours) are in their own time zone, and
        # amounts and dates are written the way their country writes them.
        data = request.session.get(KEY) or {}
        zone = data.get("tz")
        try:
            if zone:
                timezone.activate(ZoneInfo(zone))
            with reader_country(data.get("country") or ""):
                return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    return wrapper
