"""OXXO (cash at the OXXO stores, Mexico): the debtor pays a voucher at the till.

How the rail works, and what the sandbox plays: the provider issues a voucher, a reference
number the cashier scans as a barcode (or a QR) or types, for the exact amount, valid a few
days; OXXO takes at most MXN 10,000 in cash per payment. The provider's notification says it
was paid; until then it is pending, and an unpaid voucher expires. Cash paid at the till is
not charged back, so the sandbox offers no reversal for OXXO.
"""

import datetime
from decimal import Decimal

from portal.models import PaymentIntent
from portal.payments.rails import SandboxRail, cents, luhn_digit, random_digits

MAX_AMOUNT = Decimal("10000.00")  # MXN per payment, OXXO's cash limit
TTL = datetime.timedelta(days=3)
SANDBOX_PREFIX = "93"


def voucher_number_new() -> str:
    """A 14-digit voucher number (Luhn-checked) no other intent holds."""
    while True:
        digits = SANDBOX_PREFIX + random_digits(11)
        number = digits + luhn_digit(digits)
        if not PaymentIntent.objects.filter(instructions__reference=number).exists():
            return number


def grouped(number: str) -> str:
    """A voucher number as printed for the cashier: groups of four."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


class OxxoProvider(SandboxRail):
    name = "oxxo"
    method = "oxxo"
    country = "MX"
    currencies = ("MXN",)
    max_amount = MAX_AMOUNT
    prefix = "oxxo_"
    ttl = TTL
    open_outcomes = ("approved", "expired")
    paid_outcomes = ()  # cash at the till is final

    def instructions(self, intent, *, reference: str, expires_at) -> dict:
        number = voucher_number_new()
        return {
            "reference": number,
            "reference_display": grouped(number),
            "beneficiary": intent.debt.creditor.name,
            "amount": cents(intent.amount),
            "currency": intent.currency,
        }
