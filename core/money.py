"""Exact money helpers: amounts are Decimal with two places, never float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999999.99")  # fits DecimalField(max_digits=18, decimal_places=2)

# ISO 4217 codes Cartera accepts; the minor unit is shown as the currency's own.
CURRENCIES = {
    "COP": 2, "MXN": 2, "USD": 2, "EUR": 2, "PEN": 2, "CLP": 0, "ARS": 2, "BRL": 2,
    "GTQ": 2, "CRC": 2, "DOP": 2, "UYU": 2, "PYG": 0, "BOB": 2, "HNL": 2, "NIO": 2,
    "PAB": 2, "CAD": 2, "GBP": 2,
}  # fmt: skip


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value: str) -> Decimal | None:
    """Parse a plain decimal string ("1234.50"); None when it is not an exact amount."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2 or abs(amount) > MAX_AMOUNT:
        return None
    return quantize(amount)
