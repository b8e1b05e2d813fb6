"""Staff sign-in protection: what a client locked out by django-axes gets back.

Wrong passwords on the staff login page, the admin login and the API token endpoint are
counted per username and per IP address (settings: AXES_*). Once either reaches the limit, even
the right password is refused until the cool-off time has passed or an administrator unlocks
the user or address (admin "Access attempts", or `manage.py axes_reset_username` /
`axes_reset_ip` / `axes_reset`).
"""

import math

from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_minutes() -> int:
    """The cool-off in whole minutes (0: locked until an administrator unlocks)."""
    cool_off = get_cool_off()
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_message() -> str:
    minutes = lockout_minutes()
    if not minutes:
        return _(
            "Too many failed sign-in attempts for this user or from this address. "
            "Ask an administrator to unlock it."
        )
    return _(
        "Too many failed sign-in attempts for this user or from this address. "
        "Try again in %(minutes)d minutes, or ask an administrator to unlock it."
    ) % {"minutes": minutes}


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or (
        request.accepts("application/json") and not request.accepts("text/html")
    )


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 with a page for people, JSON for API clients."""
    if _wants_json(request):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": lockout_message()},
            status=429,
        )
    if minutes := lockout_minutes():
        response["Retry-After"] = str(minutes * 60)
    return response
