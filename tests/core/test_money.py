"""Money shown by Babel: the reader's locale, the currency's own decimals, always its currency."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.formatting import reader_country
from core.money import CURRENCIES, format_money

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("locale", "currency", "expected"),
    [
        # Colombia: "." groups, "," decimals; its own peso is "$", others say which they are.
        ("es_CO", "COP", "$1.234.567,50"),
        ("es_CO", "MXN", f"MXN{NBSP}1.234.567,50"),
        ("es_CO", "USD", "US$1.234.567,50"),
        # Mexico: "," groups, "." decimals; "$" is the Mexican peso.
        ("es_MX", "COP", f"COP{NBSP}1,234,567.50"),
        ("es_MX", "MXN", "$1,234,567.50"),
        ("es_MX", "USD", f"USD{NBSP}1,234,567.50"),
        # United States: "$" is the dollar, the Mexican peso is "MX$".
        ("en_US", "COP", f"COP{NBSP}1,234,567.50"),
        ("en_US", "MXN", "MX$1,234,567.50"),
        ("en_US", "USD", "$1,234,567.50"),
    ],
)
def test_an_amount_reads_as_its_reader_writes_it_with_its_currency(locale, currency, expected):
    assert format_money(Decimal("1234567.50"), currency, locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es_CO", f"CLP{NBSP}1.234.568"),
        ("es_MX", f"CLP{NBSP}1,234,568"),
        ("en_US", f"CLP{NBSP}1,234,568"),
    ],
)
def test_a_currency_without_cents_is_shown_whole(locale, expected):
    assert format_money(Decimal("1234567.50"), "CLP", locale) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("1234566.50", f"CLP{NBSP}1,234,567"), ("1234566.49", f"CLP{NBSP}1,234,566"),
     ("0.50", f"CLP{NBSP}1")],
)  # fmt: skip
def test_whole_units_round_half_up_like_the_ledger_not_half_even(amount, expected):
    assert format_money(Decimal(amount), "CLP", "en_US") == expected


def test_exact_cents_negative_amounts_and_lower_case_codes():
    assert format_money(Decimal("0.99"), "usd", "en_US") == "$0.99"
    assert format_money(Decimal("-1234.5"), "COP", "es_CO") == "-$1.234,50"
    assert format_money(Decimal("12"), "PEN", "es_CO") == f"PEN{NBSP}12,00"
    assert format_money(0, "MXN", "es_MX") == "$0.00"


def test_without_a_locale_the_active_language_and_the_readers_country_decide():
    amount = Decimal("1234.5")
    with translation.override("es"):
        assert format_money(amount, "MXN") == f"MXN{NBSP}1.234,50"
        with reader_country("MX"):
            assert format_money(amount, "MXN") == "$1,234.50"
        assert format_money(amount, "MXN") == f"MXN{NBSP}1.234,50"
    with translation.override("en"), reader_country("MX"):
        assert format_money(amount, "MXN") == "MX$1,234.50"


def test_the_money_filter_shows_the_amount_with_its_currency():
    template = Template("{% load formatting %}{{ amount|money:cur }} {{ none|money:cur }}")
    with translation.override("en"):
        text = template.render(Context({"amount": Decimal("1500"), "cur": "COP", "none": None}))
    assert text == f"COP{NBSP}1,500.00 —"


def test_one_currency_list_holds_every_code_any_part_of_cartera_accepted():
    # The union of the three lists that used to disagree (core.money, core.validation, the
    # message formatter): every ISO 4217 code in use, and no metals or test codes.
    accepted_before = {
        "COP", "MXN", "USD", "EUR", "PEN", "CLP", "ARS", "BRL", "GTQ", "CRC", "DOP",
        "UYU", "PYG", "BOB", "HNL", "NIO", "PAB", "CAD", "GBP", "JPY", "CHF",
    }  # fmt: skip
    assert accepted_before <= CURRENCIES
    assert not {"XAU", "XTS", "XXX", "cop", ""} & CURRENCIES
    assert all(len(code) == 3 and code.isalpha() and code.isupper() for code in CURRENCIES)
