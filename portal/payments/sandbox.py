"""The sandbox provider: a hosted-style checkout inside Cartera and HMAC-signed webhooks."""

import hashlib
import hmac
import json
import secrets
import time

from django.conf import settings
from django.urls import reverse

from portal.payments import Checkout, PaymentProvider, ProviderEvent, WebhookSignatureError

SIGNATURE_HEADER = "X-Sandbox-Signature"
TOLERANCE_SECONDS = 300


def _secret() -> bytes:
    return settings.CARTERA_PORTAL_SANDBOX_WEBHOOK_SECRET.encode()


def sign(body: bytes, *, timestamp: int | None = None) -> str:
    """The signature header value for a body: `t=<unix>,v1=<hex hmac of "t.body">`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(_secret(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_body(*, provider_reference: str, outcome: str, amount_cents: int, currency: str):
    """What the sandbox 'provider' posts back when the payer finishes its checkout page."""
    return json.dumps(
        {
            "id": "evt_" + secrets.token_hex(12),
            "type": f"payment.{outcome}",
            "reference": provider_reference,
            "amount_cents": amount_cents,
            "currency": currency,
        },
        separators=(",", ":"),
    ).encode()


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def checkout_start(self, intent, *, success_url: str, cancel_url: str) -> Checkout:
        reference = "sbx_" + secrets.token_hex(12)
        return Checkout(
            provider_reference=reference,
            url=reverse("portal:sandbox-checkout", args=[reference]),
        )

    def webhook_parse(self, *, body: bytes, headers) -> ProviderEvent:
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
        try:
            data = json.loads(body)
            kind = str(data["type"]).removeprefix("payment.")
            return ProviderEvent(
                event_id=str(data["id"]),
                kind=kind,
                provider_reference=str(data["reference"]),
                amount_cents=int(data["amount_cents"]),
                currency=str(data.get("currency", "")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookSignatureError("malformed event") from exc
