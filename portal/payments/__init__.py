"""Payment providers behind one interface (sandbox, Stripe Checkout), chosen by name.

A provider starts a hosted checkout for a PaymentIntent and turns the provider's signed
webhook into verified events. Money only moves when a verified event says "approved":
`portal.services.payments.webhook_handle` records it once through `payment_record`.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class WebhookSignatureError(Exception):
    """The webhook's signature is missing or wrong: answer 400, record nothing."""


class WebhookPayloadError(Exception):
    """A correctly signed event whose body is not the shape the provider documents: 400."""


@dataclass(frozen=True)
class Checkout:
    provider_reference: str
    url: str


@dataclass(frozen=True)
class ProviderEvent:
    event_id: str
    kind: str  # "approved" | "declined" | "pending" | anything else (ignored)
    provider_reference: str
    # What the provider says was paid, in major units (each provider converts its own minor
    # units), and its ISO-4217 currency code in upper case; None / "" when the event has none.
    amount: Decimal | None = None
    currency: str = ""


class PaymentProvider:
    name = "base"

    def checkout_start(self, intent, *, success_url: str, cancel_url: str) -> Checkout:
        raise NotImplementedError  # pragma: no cover - interface

    def webhook_parse(self, *, body: bytes, headers) -> ProviderEvent:
        """Verify the signature and return the event, or raise WebhookSignatureError."""
        raise NotImplementedError  # pragma: no cover - interface


PROVIDERS = {
    "sandbox": "portal.payments.sandbox.SandboxProvider",
    "stripe": "portal.payments.stripe_checkout.StripeProvider",
}


@cache
def _provider(path: str) -> PaymentProvider:
    return import_string(path)()


def provider_for(name: str) -> PaymentProvider:
    if name not in PROVIDERS:
        raise KeyError(name)
    return _provider(PROVIDERS[name])


def default_provider() -> str:
    return getattr(settings, "CARTERA_PORTAL_PAYMENT_PROVIDER", "sandbox")


def provider_live(name: str) -> bool:
    """Whether this provider's checkout and webhook are served here.

    The sandbox only while it is the configured provider (never in production, where
    config/checks.py refuses it): otherwise its checkout page and its self-signed webhook
    would let a debtor mark a debt paid without paying.
    """
    if name == "sandbox":
        return default_provider() == "sandbox" and bool(
            getattr(settings, "CARTERA_PORTAL_SANDBOX_WEBHOOK_SECRET", "")
        )
    return name in PROVIDERS
