"""The portal's own sign-in, kept in the session apart from staff authentication."""

import time
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.shortcuts import redirect
from django.utils import timezone

from core.formatting import reader_country
from portal.selectors import PortalContact, portal_contact

KEY = "portal"


def session_seconds() -> int:
    return int(getattr(settings, "CARTERA_PORTAL_SESSION_SECONDS", 15 * 60))


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or ""


def pending_set(
    request,
    *,
    debtor_id: int | None,
    step: str,
    via: str = "link",
    stand_in: str | None = None,
    kind: str = "",
) -> None:
    """Remember who is being verified (None for an unknown document: same flow, no code).

    `stand_in` is the throttle key wrong answers after a typed document are counted under;
    `kind` the document type (typed, or the linked debtor's), which sets the keyboard.
    """
    request.session[KEY] = {
        "pending": debtor_id,
        "step": step,
        "via": via,
        "stand_in": stand_in,
        "kind": kind,
        "since": int(time.time()),
    }


def pending(request) -> dict:
    data = request.session.get(KEY) or {}
    return data if "pending" in data else {}


def contact(request) -> PortalContact:
    """Whom this visitor can call, and their time zone (read once per request).

    The creditor is named once the portal knows whose debtor the visitor is: signed in, or
    verifying after their personal link. After a typed document it stays neutral, so that a
    known and an unknown document read the same.
    """
    cached = getattr(request, "_portal_contact", None)
    if cached is not None:
        return cached
    data = request.session.get(KEY) or {}
    debtor = data.get("debtor")
    if not isinstance(debtor, int):
        debtor = data.get("pending") if data.get("via") == "link" else None
    request._portal_contact = portal_contact(
        debtor_id=debtor if isinstance(debtor, int) else None, document_type=data.get("kind", "")
    )
    return request._portal_contact


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


def country(request) -> str:
    """The signed-in debtor's country (ISO 3166 alpha-2), as on file at sign-in."""
    return (request.session.get(KEY) or {}).get("country") or ""


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
