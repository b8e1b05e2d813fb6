"""The error pages (403, 404, 500 and a failed CSRF check) in the page's language.

Debtors get the portal's look and a way back to the portal, staff the staff look and a way back
to their work. The 500 page is rendered without the request's context: no session, user or
database, so it shows even when the database is down.
"""

from django.conf import settings
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext, pgettext
from django.views.decorators.csrf import requires_csrf_token
from rest_framework.exceptions import NotFound

# Debtors' pages: the portal and the opt-out links in messages. The portal's staff download
# (/portal/staff/) is for collectors.
DEBTOR_PREFIXES = ("/portal/", "/unsubscribe/")
STAFF_PREFIXES = ("/portal/staff/",)


def _debtor_page(request) -> bool:
    path = getattr(request, "path", "") or ""
    return path.startswith(DEBTOR_PREFIXES) and not path.startswith(STAFF_PREFIXES)


def _template(request, name: str) -> str:
    return f"portal/{name}" if _debtor_page(request) else name


@requires_csrf_token
def permission_denied(request, exception=None):
    """403: what was refused and why (PermissionDenied's message is written for the user)."""
    reason = str(exception) if exception is not None else ""
    return render(request, _template(request, "403.html"), {"reason": reason}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    """404: the exception's text stays out (it can name internal models).

    Under /api/ the answer is JSON like DRF's own 404s, so an API client reads every error the
    same way: a URL that matches no route (`/api/v1/debts/abc/transitions/`, where the id must
    be a number) never reaches DRF.
    """
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    context = {"request_path": request.path}
    return render(request, _template(request, "404.html"), context, status=404)


def server_error(request):
    if getattr(request, "path", "").startswith("/api/"):
        # An API client reads every error as JSON, this one too (no detail of the failure).
        detail = gettext("The server failed to answer this request; it has been logged.")
        return JsonResponse({"detail": detail}, status=500)
    template = loader.get_template(_template(request, "500.html"))
    return HttpResponseServerError(
        template.render({"contact_phone": settings.CARTERA_CONTACT_PHONE})
    )


def csrf_failure(request, reason=""):
    """A form sent with an expired or missing security token (an old tab, cookies blocked)."""
    # The portal speaks to the debtor as "tú", staff pages as "usted": one text, two contexts.
    if _debtor_page(request):
        reason = pgettext(
            "portal",
            "This form has expired or your browser did not send its security cookie. Go back, "
            "reload the page and try again.",
        )
    else:
        reason = gettext(
            "This form has expired or your browser did not send its security cookie. Go back, "
            "reload the page and try again."
        )
    context = {"reason": reason, "csrf": True}
    return render(request, _template(request, "403.html"), context, status=403)
