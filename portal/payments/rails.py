"""What the local rails' sandboxed adapters share: references, expiry, QR codes, check digits.

Each rail (pse.py, breb.py, spei.py, oxxo.py) is a `SandboxRail`: it takes one method in one
country's currency, returns the rail's payment instructions with its checkout, and offers the
sandbox's "simulate" outcomes (the rail's answers while the payment is open, and its reversal
once paid). Their webhooks are the sandbox's signed events (sandbox.SignedSandboxProvider).
"""

import datetime
import secrets
from decimal import Decimal

import segno
from django.urls import reverse
from django.utils import timezone

from portal.payments import Checkout
from portal.payments.sandbox import SignedSandboxProvider

OPEN = ("created", "pending")  # PaymentIntent.Status values a rail still waits on


def luhn_digit(digits: str) -> str:
    """Luhn check digit: a mistyped reference is caught before it reaches a debt."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            n = n - 9 if n > 9 else n
        total += n
    return str((10 - total % 10) % 10)


def random_digits(count: int) -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(count))


def qr_svg(data: str, *, title: str = "") -> str:
    """An inline SVG QR code (segno) for a payload; the title names it for screen readers."""
    svg = segno.make(data, error="m").svg_inline(
        scale=4, border=2, title=title or None, svgclass="p-qr", omitsize=True
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)  # segno escapes the title


def cents(amount: Decimal) -> str:
    """An amount as the rails write it: two decimals, a point, no thousands separator."""
    return f"{amount:.2f}"


class SandboxRail(SignedSandboxProvider):
    """A local rail's sandboxed adapter: one method, one country, one currency."""

    method = ""
    country = ""
    prefix = ""
    # How long the instructions stay valid (None: the rail's session, not the debtor's, ends).
    ttl: datetime.timedelta | None = None
    # The outcomes the sandbox's simulate buttons offer while the payment is open, and once
    # it is paid (the rail's reversal, if it has one).
    open_outcomes: tuple[str, ...] = ("approved", "expired")
    paid_outcomes: tuple[str, ...] = ()

    @property
    def methods(self) -> tuple[str, ...]:
        return (self.method,)

    def checkout_start(self, intent, *, success_url: str, cancel_url: str) -> Checkout:
        reference = self.prefix + secrets.token_hex(12)
        expires_at = timezone.now() + self.ttl if self.ttl else None
        return Checkout(
            provider_reference=reference,
            url=self.checkout_url(reference),
            instructions=self.instructions(intent, reference=reference, expires_at=expires_at),
            expires_at=expires_at,
        )

    def checkout_url(self, reference: str) -> str:
        """Where the debtor goes next: by default the intent's own page with the instructions."""
        return reverse("portal:intent", args=[reference])

    def instructions(self, intent, *, reference: str, expires_at) -> dict:
        return {}

    def simulate_outcomes(self, intent) -> tuple[str, ...]:
        """What the sandbox may answer for this intent now (nothing once it is settled)."""
        if intent.status in OPEN:
            if intent.expires_at and intent.expires_at <= timezone.now():
                return ("expired",)
            return self.open_outcomes
        if intent.status == "approved":
            return self.paid_outcomes
        return ()
