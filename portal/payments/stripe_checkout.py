"""Stripe Checkout through the official `stripe` library; confirmed by Stripe's signed webhook."""

import json
from decimal import Decimal

from django.conf import settings

from portal.payments import (
    Checkout,
    PaymentProvider,
    ProviderEvent,
    WebhookPayloadError,
    WebhookSignatureError,
)

# Currencies without minor units in Stripe's API (amounts are sent as whole units).
ZERO_DECIMAL = {"JPY", "KRW", "CLP", "VND"}


def minor_units(amount, currency: str) -> int:
    if currency.upper() in ZERO_DECIMAL:
        return int(amount)
    return int((amount * 100).to_integral_value())


class StripeProvider(PaymentProvider):
    name = "stripe"

    def _client(self):
        import stripe

        return stripe.StripeClient(settings.STRIPE_SECRET_KEY)

    def checkout_start(self, intent, *, success_url: str, cancel_url: str) -> Checkout:
        session = self._client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": intent.currency.lower(),
                            "unit_amount": minor_units(intent.amount, intent.currency),
                            # No personal data: the debt's internal reference only.
                            "product_data": {"name": f"Cartera {intent.debt.debt_ref}"},
                        },
                    }
                ],
                "client_reference_id": str(intent.pk),
                "metadata": {"intent": str(intent.pk)},
                "success_url": success_url,
                "cancel_url": cancel_url,
            }
        )
        return Checkout(provider_reference=session.id, url=session.url)

    def webhook_parse(self, *, body: bytes, headers) -> ProviderEvent:
        import stripe

        try:
            stripe.WebhookSignature.verify_header(
                body,
                headers.get("Stripe-Signature", ""),
                settings.STRIPE_WEBHOOK_SECRET,
                tolerance=stripe.Webhook.DEFAULT_TOLERANCE,
            )
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise WebhookSignatureError(str(exc)) from exc
        return event_parse(body)


# Checkout Session events -> our kinds (None: decided by the session's payment_status).
SESSION_EVENTS = {
    "checkout.session.completed": None,
    "checkout.session.async_payment_succeeded": "approved",
    "checkout.session.async_payment_failed": "declined",
    "checkout.session.expired": "declined",
}


def major_units(amount: int, currency: str) -> Decimal:
    """Stripe's integer amount in the currency's major units (the inverse of minor_units)."""
    return Decimal(amount) if currency.upper() in ZERO_DECIMAL else Decimal(amount).scaleb(-2)


def event_parse(body: bytes) -> ProviderEvent:
    """A verified Stripe event -> ProviderEvent; WebhookPayloadError when its shape is wrong.

    The signature proves who sent the body, not that it has the documented shape: a signed
    event without `data.object` (or with a session that has no id) is refused, not a crash.
    """
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise WebhookPayloadError("the body is not JSON") from exc
    if not isinstance(data, dict):
        raise WebhookPayloadError("the event is not a JSON object")
    event_id, event_type = data.get("id"), data.get("type")
    payload = data.get("data")
    session = payload.get("object") if isinstance(payload, dict) else None
    if not (isinstance(event_id, str) and event_id and isinstance(event_type, str)):
        raise WebhookPayloadError("an event needs a string id and type")
    if not isinstance(session, dict):
        raise WebhookPayloadError("an event needs data.object")
    if event_type not in SESSION_EVENTS:
        # Another kind of event sent to this endpoint: stored once, changes nothing.
        reference = session.get("id")
        return ProviderEvent(
            event_id=event_id,
            kind="ignored",
            provider_reference=reference if isinstance(reference, str) else "",
        )
    reference = session.get("id")
    if not isinstance(reference, str) or not reference:
        raise WebhookPayloadError("a Checkout Session event needs the session id")
    kind = SESSION_EVENTS[event_type] or (
        "approved" if session.get("payment_status") == "paid" else "pending"
    )
    amount, currency = session.get("amount_total"), session.get("currency")
    if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool)):
        raise WebhookPayloadError("amount_total must be an integer")
    if currency is not None and not (isinstance(currency, str) and len(currency) == 3):
        raise WebhookPayloadError("currency must be an ISO-4217 code")
    if kind == "approved" and (amount is None or currency is None):
        raise WebhookPayloadError("a paid session needs amount_total and currency")
    return ProviderEvent(
        event_id=event_id,
        kind=kind,
        provider_reference=reference,
        amount=major_units(amount, currency) if amount is not None and currency else None,
        currency=(currency or "").upper(),
    )
