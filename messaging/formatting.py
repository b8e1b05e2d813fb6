"""Amounts and dates the way the debtor reads them: their locale, their currency."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, translation

# (symbol, decimals, thousands separator, decimal separator, space after the symbol)
CURRENCY_STYLE = {
    "COP": ("$", 0, ".", ",", True),  # $ 1.234.567 (pesos are shown without cents)
    "CLP": ("$", 0, ".", ",", True),
    "MXN": ("$", 2, ",", ".", False),  # $1,234.56
    "USD": ("$", 2, ",", ".", False),  # $1,234.56
    "EUR": ("€", 2, ".", ",", True),
}


def money_format(amount: Decimal, currency: str) -> str:
    """`amount` in `currency` as the debtor expects to read it (exact Decimal, never float)."""
    symbol, places, thousands, decimal_sep, space = CURRENCY_STYLE.get(
        currency.upper(), (None, 2, ",", ".", True)
    )
    quantum = Decimal(1).scaleb(-places)
    value = Decimal(amount).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = thousands.join(groups) or "0"
    if places:
        text += decimal_sep + fraction.ljust(places, "0")[:places]
    if symbol is None:
        return f"{sign}{text} {currency.upper()}"
    return f"{sign}{symbol}{' ' if space else ''}{text}"


def date_format(day: datetime.date, language: str) -> str:
    """A long date in the debtor's language: "5 de diciembre de 2026" / "December 5, 2026"."""
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")
