"""Paying: a checkout with a provider, the sandbox's hosted page, webhooks, the thank-you.

The local rails' own pages (PSE's bank choice, the sandbox's bank and Bre-B app pages, the
simulate buttons) are in portal/views/rails.py.
"""

import logging

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from portal import selectors, session
from portal.forms import PayForm
from portal.payments import (
    WebhookPayloadError,
    WebhookSignatureError,
    provider_for,
    provider_live,
    sandbox,
)
from portal.services.payments import (
    WebhookEventRefused,
    intent_create,
    payment_reference_for,
    webhook_handle,
)
from portal.services.ways_to_pay import payment_ways
from portal.session import portal_login_required
from portal.views.rails import intent_context

logger = logging.getLogger(__name__)


def _success_url(request) -> str:
    """Where the provider sends the payer back: the payment's own page (Stripe fills the id)."""
    url = request.build_absolute_uri(reverse("portal:intent", args=["CHECKOUT_ID"]))
    return url.replace("CHECKOUT_ID", "{CHECKOUT_SESSION_ID}")


@require_http_methods(["GET", "POST"])
@portal_login_required
def pay(request, debt_id):
    debt = selectors.debtor_debt(request.portal_debtor_id, debt_id)
    form = PayForm(
        request.POST or None,
        balance=debt.balance,
        country=session.country(request),
        initial={"amount": debt.balance},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            intent = intent_create(
                debt=debt,
                amount=form.cleaned_data["amount"],
                method=form.cleaned_data["method"],
                success_url=_success_url(request),
                cancel_url=request.build_absolute_uri(reverse("portal:pay", args=[debt.pk])),
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            if exc.extra.get("country_refused"):
                status = 400
        else:
            return redirect(intent.checkout_url)
    if request.method == "POST" and form.method_refused():
        # Another country's rail, posted by hand: refused, and said so.
        status = 400
    return render(request, "portal/pay.html", {"debt": debt, "form": form}, status=status)


@require_http_methods(["GET"])
@portal_login_required
def bank_reference(request, debt_id):
    debt = selectors.debtor_debt(request.portal_debtor_id, debt_id)
    payable = debt.is_open and debt.balance > 0
    reference = payment_reference_for(debt) if payable else None
    ways = payment_ways(country=session.country(request), creditor=debt.creditor.name)
    return render(
        request,
        "portal/reference.html",
        {
            "debt": debt,
            "reference": reference,
            "ways": ways if payable else [],
            "contact": session.contact(request),
        },
    )


OUTCOMES = ("approved", "declined", "pending")


@require_http_methods(["GET", "POST"])
@portal_login_required
def sandbox_checkout(request, reference):
    """The sandbox's hosted page: the payer picks an outcome; the 'provider' signs a webhook."""
    if not provider_live("sandbox"):
        # Not a development server: approving here would mark a debt paid without paying.
        raise Http404
    intent = selectors.debtor_intent(request.portal_debtor_id, reference)
    if intent.provider != "sandbox":
        raise Http404
    if request.method == "POST":
        outcome = request.POST.get("outcome")
        if outcome not in OUTCOMES:
            return HttpResponseBadRequest(_("Choose an outcome."))
        # Exactly what the webhook endpoint would receive, verified the same way.
        webhook_handle(provider="sandbox", event=sandbox.simulated_event(intent, outcome))
        return redirect("portal:intent", reference=intent.provider_reference)
    return render(request, "portal/sandbox_checkout.html", {"intent": intent})


@require_http_methods(["GET"])
@portal_login_required
def intent_status(request, reference):
    """The payment's page: its outcome, or the rail's instructions while it is open (the
    debtor can come back to them), with the sandbox's simulate buttons where it runs."""
    intent = selectors.debtor_intent(request.portal_debtor_id, reference)
    return render(request, "portal/intent.html", intent_context(intent))


@csrf_exempt  # a provider's server calls it; its HMAC signature replaces the CSRF token
@require_POST
def webhook(request, provider):
    if not provider_live(provider):
        raise Http404
    backend = provider_for(provider)
    try:
        event = backend.webhook_parse(body=request.body, headers=request.headers)
    except WebhookSignatureError as exc:
        logger.warning("portal webhook %s refused: %s", provider, exc)
        return HttpResponseBadRequest("invalid signature", content_type="text/plain")
    except WebhookPayloadError as exc:
        logger.warning("portal webhook %s: malformed signed event: %s", provider, exc)
        return HttpResponseBadRequest(f"malformed event: {exc}", content_type="text/plain")
    try:
        result = webhook_handle(provider=provider, event=event)
    except WebhookEventRefused as exc:
        # Signed by the provider yet not what the checkout asked for: a human must look.
        logger.error(
            "portal webhook %s: event %s for checkout %s refused: %s",
            provider, event.event_id, event.provider_reference, exc,
        )  # fmt: skip
        return HttpResponse(f"event refused: {exc}", status=422, content_type="text/plain")
    return HttpResponse(result, content_type="text/plain")
