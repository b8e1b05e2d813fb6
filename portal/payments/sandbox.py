"""The sandbox provider: a hosted-style checkout inside Cartera and HMAC-signed webhooks.

`SignedSandboxProvider` is what every sandboxed adapter shares (the card sandbox and the local
rails' sandboxes in pse.py, breb.py, spei.py, oxxo.py): its events are JSON bodies signed with
CARTERA_PORTAL_SANDBOX_WEBHOOK_SECRET, and `simulated_event` is how a sandbox page makes the
"provider" answer, exactly as the webhook endpoint would receive it.
"""

import datetime
import hashlib
import hmac
import json
import re
import secrets
import time
from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from portal.payments import (
    Checkout,
    PaymentProvider,
    ProviderEvent,
    WebhookPayloadError,
    WebhookSignatureError,
    provider_for,
)

SIGNATURE_HEADER = "X-Sandbox-Signature"
TOLERANCE_SECONDS = 300
CURRENCY = re.compile(r"[A-Za-z]{3}")


def _secret() -> bytes:
    return settings.CARTERA_PORTAL_SANDBOX_WEBHOOK_SECRET.encode()


def sign(body: bytes, *, timestamp: int | None = None) -> str:
    """The signature header value for a body: `t=<unix>,v1=<hex hmac of "t.body">`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(_secret(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_body(
    *, provider_reference: str, outcome: str, amount_cents: int, currency: str,
    occurred_at: int | None = None,
) -> bytes:  # fmt: skip
    """What the sandbox 'provider' posts back when the payer finishes its checkout page."""
    data = {
        "id": "evt_" + secrets.token_hex(12),
        "type": f"payment.{outcome}",
        "reference": provider_reference,
        "amount_cents": amount_cents,
        "currency": currency,
    }
    if occurred_at is not None:
        data["created"] = occurred_at
    return json.dumps(data, separators=(",", ":")).encode()


class SignedSandboxProvider(PaymentProvider):
    """A sandboxed provider: its webhook is a sandbox event signed with the sandbox's secret."""

    sandboxed = True

    def simulate_outcomes(self, intent) -> tuple[str, ...]:
        """What the sandbox's simulate buttons may answer for this intent now."""
        return ()

    def webhook_parse(self, *, body: bytes, headers) -> ProviderEvent:
        if not _secret():
            raise WebhookSignatureError("the sandbox has no webhook secret")
        header = headers.get(SIGNATURE_HEADER, "")
        parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
        try:
            timestamp = int(parts.get("t", ""))
        except ValueError as exc:
            raise WebhookSignatureError("no timestamp") from exc
        if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
            raise WebhookSignatureError("timestamp outside the tolerance")
        expected = sign(body, timestamp=timestamp).split("v1=", 1)[1]
        if not hmac.compare_digest(expected, parts.get("v1", "")):
            raise WebhookSignatureError("bad signature")
        return event_parse(body)


class SandboxProvider(SignedSandboxProvider):
    name = "sandbox"

    def checkout_start(self, intent, *, success_url: str, cancel_url: str) -> Checkout:
        reference = "sbx_" + secrets.token_hex(12)
        return Checkout(
            provider_reference=reference,
            url=reverse("portal:sandbox-checkout", args=[reference]),
        )

    def simulate_outcomes(self, intent) -> tuple[str, ...]:
        # The checkout page answers while it is open; a paid card can be charged back.
        return ("chargeback",) if intent.status == "approved" else ()


def simulated_event(intent, outcome: str) -> ProviderEvent:
    """The signed event the intent's sandboxed provider would post for this outcome, verified
    by that provider's webhook_parse like any webhook (so the sandbox pages test the path)."""
    body = event_body(
        provider_reference=intent.provider_reference,
        outcome=outcome,
        amount_cents=int((intent.amount * 100).to_integral_value()),
        currency=intent.currency,
        occurred_at=int(time.time()),
    )
    headers = {SIGNATURE_HEADER: sign(body)}
    return provider_for(intent.provider).webhook_parse(body=body, headers=headers)


def event_parse(body: bytes) -> ProviderEvent:
    """A signed sandbox event -> ProviderEvent, or WebhookPayloadError when it is malformed."""
    try:
        data = json.loads(body)
    except ValueError as exc:  # also a body that is not UTF-8
        raise WebhookPayloadError("the body is not JSON") from exc
    if not isinstance(data, dict):
        raise WebhookPayloadError("the event is not a JSON object")
    event_id, kind, reference = data.get("id"), data.get("type"), data.get("reference")
    cents, currency = data.get("amount_cents"), data.get("currency")
    created = data.get("created")
    if not all(isinstance(v, str) and v for v in (event_id, kind, reference)):
        raise WebhookPayloadError("id, type and reference must be non-empty strings")
    if not kind.startswith("payment."):
        raise WebhookPayloadError("type must be payment.<outcome>")
    if not isinstance(cents, int) or isinstance(cents, bool) or cents < 0:
        raise WebhookPayloadError("amount_cents must be a whole number of cents")
    if not isinstance(currency, str) or not CURRENCY.fullmatch(currency):
        raise WebhookPayloadError("currency must be an ISO-4217 code")
    if created is not None and (
        not isinstance(created, int) or isinstance(created, bool) or created < 0
    ):
        raise WebhookPayloadError("created must be a unix timestamp")
    try:
        occurred_at = (
            datetime.datetime.fromtimestamp(created, tz=datetime.UTC)
            if created is not None
            else None
        )
    except (OverflowError, ValueError, OSError) as exc:
        raise WebhookPayloadError("created is not a date") from exc
    return ProviderEvent(
        event_id=event_id,
        kind=kind.removeprefix("payment."),
        provider_reference=reference,
        amount=Decimal(cents).scaleb(-2),
        currency=currency.upper(),
        occurred_at=occurred_at,
    )
