"""Exact money: amounts are Decimal with two places, never float; shown by Babel."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision

from core.formatting import active_locale

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999999.99")  # fits DecimalField(max_digits=18, decimal_places=2)

# The one list of currencies Cartera accepts: ISO 4217 active codes (precious metals, bond units
# and test codes left out: nobody owes a debt in XAU or XTS). How many decimals each one shows
# is the currency's own (CLDR, through Babel): COP and MXN 2, CLP and PYG 0.
_CURRENCY_TEXT = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
    BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
    JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND
    TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF
    YER ZAR ZMW ZWG
"""
CURRENCIES = frozenset(_CURRENCY_TEXT.split())

# CLDR separates a currency code from the digits next to it ("COP 1,234.50"); Babel does not.
_LETTER_NEXT_TO_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def format_money(amount, currency: str, locale: str | None = None) -> str:
    """`amount` with its currency as a reader in `locale` (es_CO, es_MX, en_US; by default the
    active one) reads it: "$1.234.567,50", "MX$1,234.50", "COP 1,234.50"; exact, half up."""
    currency = currency.upper()
    quantum = Decimal(1).scaleb(-get_currency_precision(currency))
    value = Decimal(amount).quantize(quantum, rounding=ROUND_HALF_UP)
    text = format_currency(value, currency, locale=locale or active_locale())
    return _LETTER_NEXT_TO_DIGIT.sub("\u00a0", text)


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
