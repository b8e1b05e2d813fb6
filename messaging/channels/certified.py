"""Certified mail: a letter handed to a provider that tracks it and reports its receipt.

`certified_provider().submit(message=..., pdf=...)` hands one letter over and returns its
tracking number; the proof of receipt (date, signer, the receipt document) arrives later as
the provider's signed event (`messaging.certified_webhooks`) or is uploaded by staff from the
post's acuse de recibo (`messaging.services.proofs.letter_proof_record`). Which letters go
certified is data: messaging.services.compliance.certified.

The provider is the dotted path in `settings.CARTERA_CERTIFIED_MAIL_PROVIDER`:
* `PostCertifiedProvider` (production default): the letter is printed in the day's batch and
  mailed certified at the post office; staff upload the receipt with its tracking number.
* `SandboxCertifiedProvider` (development, tests, demos): behaves like a provider's API, a
  tracking number at once and a signed webhook with the proof (`sandbox_proof_event`).
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from messaging.channels.sandbox import sandbox_signature


@dataclass(frozen=True)
class Submission:
    provider: str
    tracking_number: str = ""


class CertifiedMailProvider:
    """Interface: `submit` hands one letter (its PDF) over, or raises a ChannelError."""

    provider = "base"

    def submit(self, *, message, pdf: bytes) -> Submission:  # pragma: no cover - interface
        raise NotImplementedError


class PostCertifiedProvider(CertifiedMailProvider):
    """Certified mail at the post office: no API; the tracking number comes with the receipt."""

    provider = "post"

    def submit(self, *, message, pdf: bytes) -> Submission:
        return Submission(provider=self.provider)


class SandboxCertifiedProvider(CertifiedMailProvider):
    """A provider's behaviour without one: a tracking number per letter, stable on retries."""

    provider = "certified-sandbox"

    def submit(self, *, message, pdf: bytes) -> Submission:
        digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:16].upper()
        return Submission(provider=self.provider, tracking_number=f"SBX{digest}")


@cache
def _provider(path: str) -> CertifiedMailProvider:
    return import_string(path)()


def certified_provider() -> CertifiedMailProvider:
    """The configured certified mail provider."""
    return _provider(settings.CARTERA_CERTIFIED_MAIL_PROVIDER)


def certified_sandbox_live() -> bool:
    """Whether the sandbox provider's proof webhook is served (never in production)."""
    path = f"{SandboxCertifiedProvider.__module__}.{SandboxCertifiedProvider.__qualname__}"
    return (
        bool(settings.CARTERA_SANDBOX_WEBHOOK_SECRET)
        and path == settings.CARTERA_CERTIFIED_MAIL_PROVIDER
    )


def sandbox_proof_event(
    *,
    event_id: str,
    tracking_number: str,
    received_on,
    signed_by: str = "",
    event: str = "delivered",
    receipt: bytes | None = None,
    receipt_name: str = "acuse.pdf",
) -> tuple[bytes, str]:
    """The body and signature the sandbox provider posts when a letter is received (or
    returned): {id, tracking_number, event, received_on, signed_by, receipt: {name,
    content_base64}}."""
    data = {
        "id": event_id,
        "tracking_number": tracking_number,
        "event": event,
        "received_on": received_on.isoformat(),
        "signed_by": signed_by,
    }
    if receipt is not None:
        data["receipt"] = {
            "name": receipt_name,
            "content_base64": base64.b64encode(receipt).decode(),
        }
    body = json.dumps(data).encode()
    return body, sandbox_signature(body)
