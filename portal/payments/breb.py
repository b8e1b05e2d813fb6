"""Bre-B (Banco de la República's instant payments, Colombia): a key, a link and a QR.

How the rail works, and what the sandbox plays: the collecting account is known by its Bre-B
key (llave: an ID, a phone, an e-mail, or an alphanumeric key starting with "@"); a dynamic
payment carries that key, the amount and a reference, as a link that opens the payer's bank
app and as a QR code (EMVCo merchant-presented format, as Colombian interoperable QR codes
are). The transfer settles in seconds; the provider's notification says it arrived. The
payment request expires. An instant transfer is irrevocable: a mistaken one comes back as a
return (devolución), which the sandbox can simulate.
"""

import datetime

from django.urls import reverse

from portal.payments.rails import SandboxRail, cents, random_digits

SANDBOX_KEY = "@carterasandbox"
TTL = datetime.timedelta(hours=1)
# The EMVCo template the key travels in. The sandbox's identifier; a real adapter writes the
# one the Banco de la República's QR standard assigns to Bre-B.
GLOBAL_ID = "CO.BREB.SANDBOX"
COP_NUMERIC = "170"


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as EMVCo QR codes end with."""
    crc = 0xFFFF
    for byte in data.encode():
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def qr_payload(*, key: str, amount: str, reference: str, beneficiary: str) -> str:
    """The QR's text: an EMVCo merchant-presented payload, dynamic (one payment)."""
    name = "".join(ch for ch in beneficiary.upper() if ch.isascii())[:25] or "CARTERA"
    payload = (
        _tlv("00", "01")  # payload format
        + _tlv("01", "12")  # dynamic: for this payment only
        + _tlv("26", _tlv("00", GLOBAL_ID) + _tlv("01", key))
        + _tlv("52", "0000")
        + _tlv("53", COP_NUMERIC)
        + _tlv("54", amount)
        + _tlv("58", "CO")
        + _tlv("59", name)
        + _tlv("60", "BOGOTA")
        + _tlv("62", _tlv("05", reference))
        + "6304"
    )
    return payload + crc16(payload)


class BrebProvider(SandboxRail):
    name = "breb"
    method = "breb"
    country = "CO"
    currencies = ("COP",)
    prefix = "breb_"
    ttl = TTL
    open_outcomes = ("approved", "expired")
    paid_outcomes = ("returned",)

    def instructions(self, intent, *, reference: str, expires_at) -> dict:
        amount = cents(intent.amount)
        number = random_digits(10)
        beneficiary = intent.debt.creditor.name
        return {
            "key": SANDBOX_KEY,
            "beneficiary": beneficiary,
            "reference": number,
            "amount": amount,
            "currency": intent.currency,
            # The link opens the payer's bank app; in the sandbox, a page playing that app.
            "link": reverse("portal:breb-link", args=[reference]),
            "qr": qr_payload(
                key=SANDBOX_KEY, amount=amount, reference=number, beneficiary=beneficiary
            ),
        }
