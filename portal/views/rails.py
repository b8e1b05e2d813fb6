"""The local rails' pages: PSE's bank choice, the rail's instructions, the sandbox's stand-ins.

PSE's bank choice is the merchant's page in real life too. The bank's page (PSE), the payer's
bank app behind a Bre-B link, and the simulate buttons on a payment's page are the sandbox's
stand-ins for what happens outside Cartera: served only where the sandbox is allowed, they make
the provider answer with a signed event that goes through the webhook's own path.
"""

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from portal import selectors
from portal.forms import PseBankForm
from portal.models import PaymentIntent
from portal.payments import PROVIDERS, provider_for, provider_live, sandbox
from portal.payments.rails import qr_svg
from portal.services.payments import (
    EXPIRED,
    WebhookEventRefused,
    pse_transaction_start,
    webhook_handle,
)
from portal.session import portal_login_required

Status = PaymentIntent.Status
OUTCOME_LABELS = {
    "approved": gettext_lazy("The payment arrives"),
    "pending": gettext_lazy("The bank leaves it pending"),
    "declined": gettext_lazy("The bank declines it"),
    "expired": gettext_lazy("Let it expire unpaid"),
    "reversed": gettext_lazy("The bank reverses it"),
    "returned": gettext_lazy("The transfer is returned"),
    "chargeback": gettext_lazy("The card holder charges it back"),
}
DANGER = ("declined", "expired", "reversed", "returned", "chargeback")
OFFLINE_RAILS = (PaymentIntent.Method.SPEI, PaymentIntent.Method.OXXO, PaymentIntent.Method.BREB)


def _sandbox_backend(intent):
    """The intent's provider when it is a sandbox served here; else Http404 (production)."""
    if intent.provider not in PROVIDERS:
        raise Http404
    backend = provider_for(intent.provider)
    if not backend.sandboxed or not provider_live(intent.provider):
        raise Http404
    return backend


def intent_expired(intent) -> bool:
    if intent.status == Status.DECLINED:
        return intent.detail == EXPIRED
    return (
        intent.status in (Status.CREATED, Status.PENDING)
        and intent.expires_at is not None
        and intent.expires_at <= timezone.now()
    )


def intent_context(intent) -> dict:
    """What the payment's page shows: the outcome, the instructions, the sandbox's buttons."""
    expired = intent_expired(intent)
    waiting = intent.status in (Status.CREATED, Status.PENDING) and not expired
    qr = ""
    if waiting and intent.method == PaymentIntent.Method.BREB and intent.instructions.get("qr"):
        qr = qr_svg(intent.instructions["qr"], title=_("Bre-B QR code"))
    elif waiting and intent.method == PaymentIntent.Method.OXXO:
        qr = qr_svg(intent.instructions.get("reference", ""), title=_("OXXO payment reference"))
    simulate = []
    if intent.provider in PROVIDERS and provider_live(intent.provider):
        backend = provider_for(intent.provider)
        if backend.sandboxed:
            simulate = [
                (outcome, OUTCOME_LABELS[outcome], outcome in DANGER)
                for outcome in backend.simulate_outcomes(intent)
            ]
    return {
        "intent": intent,
        "debt": intent.debt,
        "expired": expired,
        "waiting": waiting,
        "offline": intent.method in OFFLINE_RAILS,
        "ins": intent.instructions,
        # segno writes the SVG from our own payload; its title is escaped by segno.
        "qr": mark_safe(qr),
        "simulate": simulate,
    }


@require_http_methods(["GET", "POST"])
@portal_login_required
def pse_banks(request, reference):
    """PSE's first page: choose the bank, say who pays; then on to the bank's page."""
    intent = selectors.debtor_intent(request.portal_debtor_id, reference)
    if intent.method != PaymentIntent.Method.PSE or not provider_live(intent.provider):
        raise Http404
    if intent.status != Status.CREATED or intent.instructions.get("cus"):
        return redirect("portal:intent", reference=intent.provider_reference)
    backend = provider_for(intent.provider)
    form = PseBankForm(request.POST or None, banks=backend.banks())
    if request.method == "POST" and form.is_valid():
        try:
            url = pse_transaction_start(intent=intent, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(url)
    return render(request, "portal/pse_banks.html", {"intent": intent, "form": form})


@require_http_methods(["GET"])
@portal_login_required
def pse_bank(request, reference):
    """The sandbox's stand-in for the payer's bank page: approve, leave pending, decline."""
    intent = selectors.debtor_intent(request.portal_debtor_id, reference)
    if intent.method != PaymentIntent.Method.PSE:
        raise Http404
    backend = _sandbox_backend(intent)
    if not intent.instructions.get("cus"):
        return redirect("portal:pse-banks", reference=intent.provider_reference)
    outcomes = backend.simulate_outcomes(intent) if intent.status == Status.CREATED else ()
    if not outcomes:
        return redirect("portal:intent", reference=intent.provider_reference)
    return render(
        request,
        "portal/pse_bank.html",
        {"intent": intent, "ins": intent.instructions, "outcomes": outcomes},
    )


@require_http_methods(["GET"])
@portal_login_required
def breb_link(request, reference):
    """The sandbox's stand-in for the payer's bank app, opened by the Bre-B payment link."""
    intent = selectors.debtor_intent(request.portal_debtor_id, reference)
    if intent.method != PaymentIntent.Method.BREB:
        raise Http404
    backend = _sandbox_backend(intent)
    context = intent_context(intent)
    context["can_pay"] = "approved" in backend.simulate_outcomes(intent)
    return render(request, "portal/breb_link.html", context)


@require_POST
@portal_login_required
def simulate(request, reference):
    """The sandbox answers for the rail (paid, expired, reversed...), as a signed webhook."""
    intent = selectors.debtor_intent(request.portal_debtor_id, reference)
    backend = _sandbox_backend(intent)
    outcome = request.POST.get("outcome", "")
    if outcome not in backend.simulate_outcomes(intent):
        return HttpResponseBadRequest(
            _("The payment cannot have that outcome now."), content_type="text/plain"
        )
    try:
        webhook_handle(provider=intent.provider, event=sandbox.simulated_event(intent, outcome))
    except WebhookEventRefused as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain")
    return redirect("portal:intent", reference=intent.provider_reference)
