"""Payment providers behind one interface (sandbox, Stripe Checkout, local rails), by name.

A provider starts a hosted checkout for a PaymentIntent and turns the provider's signed
webhook into verified events. Money only moves when a verified event says "approved":
`portal.services.payments.webhook_handle` records it once through `payment_record`.

The card checkout is the configured provider (`CARTERA_PORTAL_PAYMENT_PROVIDER`); each local
rail (PSE and Bre-B in Colombia, SPEI and OXXO in Mexico) has its own adapter, chosen by the
method the debtor picks (`method_provider`). docs/ledger/rails.md says what each rail does.
"""

import datetime
from dataclasses import dataclass, field
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
    # What the debtor needs to pay off-line (a CLABE, a voucher number, a Bre-B key) and
    # until when: stored on the intent, shown on its page.
    instructions: dict = field(default_factory=dict)
    expires_at: datetime.datetime | None = None


@dataclass(frozen=True)
class ProviderEvent:
    event_id: str
    # "approved" | "pending" | "declined" | "expired" | a reversal of an approved payment
    # ("reversed" | "chargeback" | "returned") | anything else (ignored)
    kind: str
    provider_reference: str
    # What the provider says was paid, in major units (each provider converts its own minor
    # units), and its ISO-4217 currency code in upper case; None / "" when the event has none.
    amount: Decimal | None = None
    currency: str = ""
    # When the provider says it happened (a reversal's business date); None: on receipt.
    occurred_at: datetime.datetime | None = None


class PaymentProvider:
    name = "base"
    # The portal methods this provider takes: empty for the general checkout (card, bank
    # transfer); a rail's adapter names its own (and takes only them).
    methods: tuple[str, ...] = ()
    # The currencies it takes (empty: any) and the most one payment may be (None: no limit).
    currencies: tuple[str, ...] = ()
    max_amount: Decimal | None = None
    # A sandbox answers for the provider (its pages approve payments): served only where the
    # sandbox is allowed, never in production.
    sandboxed = False

    def checkout_start(self, intent, *, success_url: str, cancel_url: str) -> Checkout:
        raise NotImplementedError  # pragma: no cover - interface

    def webhook_parse(self, *, body: bytes, headers) -> ProviderEvent:
        """Verify the signature and return the event, or raise WebhookSignatureError."""
        raise NotImplementedError  # pragma: no cover - interface


PROVIDERS = {
    "sandbox": "portal.payments.sandbox.SandboxProvider",
    "stripe": "portal.payments.stripe_checkout.StripeProvider",
    "pse": "portal.payments.pse.PseProvider",
    "breb": "portal.payments.breb.BrebProvider",
    "spei": "portal.payments.spei.SpeiProvider",
    "oxxo": "portal.payments.oxxo.OxxoProvider",
}
# Each local rail's method -> the provider that serves it. A real adapter replaces the
# sandbox's through CARTERA_PORTAL_RAIL_PROVIDERS ({"pse": "<name in PROVIDERS>"}).
RAIL_PROVIDERS = {"pse": "pse", "breb": "breb", "spei": "spei", "oxxo": "oxxo"}


@cache
def _provider(path: str) -> PaymentProvider:
    return import_string(path)()


def provider_for(name: str) -> PaymentProvider:
    if name not in PROVIDERS:
        raise KeyError(name)
    return _provider(PROVIDERS[name])


def default_provider() -> str:
    return getattr(settings, "CARTERA_PORTAL_PAYMENT_PROVIDER", "sandbox")


def method_provider(method: str) -> str:
    """The provider that takes this method: the rail's adapter, else the card checkout's."""
    if method in RAIL_PROVIDERS:
        configured = getattr(settings, "CARTERA_PORTAL_RAIL_PROVIDERS", None) or {}
        return configured.get(method, RAIL_PROVIDERS[method])
    return default_provider()


def sandbox_allowed() -> bool:
    """The sandbox (and the sandboxed rails) only while it is the configured provider: never in
    production, where config/checks.py refuses it."""
    return default_provider() == "sandbox" and bool(
        getattr(settings, "CARTERA_PORTAL_SANDBOX_WEBHOOK_SECRET", "")
    )


def provider_live(name: str) -> bool:
    """Whether this provider's checkout and webhook are served here.

    A sandboxed provider only where the sandbox is allowed: otherwise its checkout page and
    its self-signed webhook would let a debtor mark a debt paid without paying.
    """
    if name not in PROVIDERS:
        return False
    if provider_for(name).sandboxed:
        return sandbox_allowed()
    return True
