"""Stripe Checkout through the official `stripe` library; confirmed by Stripe's signed webhook."""

import json

from django.conf import settings

from portal.payments import Checkout, PaymentProvider, ProviderEvent, WebhookSignatureError

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
            event = stripe.Webhook.construct_event(
                body, headers.get("Stripe-Signature", ""), settings.STRIPE_WEBHOOK_SECRET
            )
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise WebhookSignatureError(str(exc)) from exc
        # Verified above; read the plain JSON (stripe objects are not dicts).
        data = json.loads(body)
        session = data["data"]["object"]
        kind = {
            "checkout.session.completed": (
                "approved" if session.get("payment_status") == "paid" else "pending"
            ),
            "checkout.session.async_payment_succeeded": "approved",
            "checkout.session.async_payment_failed": "declined",
            "checkout.session.expired": "declined",
        }.get(data["type"], "ignored")
        return ProviderEvent(
            event_id=str(event.id),
            kind=kind,
            provider_reference=str(session.get("id", "")),
            amount_cents=session.get("amount_total"),
            currency=str(session.get("currency") or "").upper(),
        )
