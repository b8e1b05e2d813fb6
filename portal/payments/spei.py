"""SPEI (Banxico's interbank transfers): the debtor transfers to a CLABE made for this payment.

How the rail works, and what the sandbox plays: the provider assigns an 18-digit CLABE (bank
3 digits, plaza 3, account 11, a check digit) that belongs to this payment alone, plus a
numeric reference; the debtor transfers the exact amount from any Mexican bank before the
instructions expire. The provider's notification says the money arrived ("approved"); until
then the payment is pending. A transfer can be returned (devolución), which the sandbox can
simulate. The sandbox's CLABEs start with bank 999, a code no Mexican bank has, so a real
transfer to one is rejected by SPEI instead of reaching someone's account.
"""

import datetime
import secrets

from portal.models import PaymentIntent
from portal.payments.rails import SandboxRail, cents, random_digits

CLABE_WEIGHTS = (3, 7, 1)
SANDBOX_BANK = "999"  # no bank has it: SPEI rejects a real transfer to a sandbox CLABE
SANDBOX_PLAZA = "180"  # Mexico City
TTL = datetime.timedelta(hours=72)


def clabe_check_digit(first17: str) -> str:
    """The CLABE's 18th digit: weights 3, 7, 1 over the first 17, each product mod 10."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("a CLABE's check digit is computed over 17 digits")
    total = sum(int(d) * CLABE_WEIGHTS[i % 3] % 10 for i, d in enumerate(first17))
    return str((10 - total % 10) % 10)


def clabe_is_valid(clabe: str) -> bool:
    return len(clabe) == 18 and clabe.isdigit() and clabe_check_digit(clabe[:17]) == clabe[17]


def clabe_new() -> str:
    """A sandbox CLABE no other intent holds."""
    while True:
        first17 = SANDBOX_BANK + SANDBOX_PLAZA + random_digits(11)
        clabe = first17 + clabe_check_digit(first17)
        if not PaymentIntent.objects.filter(instructions__clabe=clabe).exists():
            return clabe


class SpeiProvider(SandboxRail):
    name = "spei"
    method = "spei"
    country = "MX"
    currencies = ("MXN",)
    prefix = "spei_"
    ttl = TTL
    open_outcomes = ("approved", "expired")
    paid_outcomes = ("returned",)

    def instructions(self, intent, *, reference: str, expires_at) -> dict:
        return {
            "clabe": clabe_new(),
            "bank": "Sandbox SPEI",
            "beneficiary": intent.debt.creditor.name,
            # SPEI's "referencia numérica" is up to 7 digits; the concept names the debt.
            "reference": str(1_000_000 + secrets.randbelow(9_000_000)),
            "concept": intent.debt.debt_ref[:40],
            "amount": cents(intent.amount),
            "currency": intent.currency,
        }
