"""How long negative data stays at the bureau, per country."""

from decimal import Decimal

import pytest
from django.test import override_settings

from bureau.permanence import mx_years, remove_after
from tests.bureau.helpers import D


def test_nothing_negative_nothing_to_remove():
    assert remove_after(country="CO", first_delinquency_on=None) is None


@pytest.mark.parametrize(
    ("arrears", "paid", "expected"),
    [
        # twice the time in arrears: 100 days late → 200 days after the payment
        (D(2026, 1, 1), D(2026, 4, 11), D(2026, 10, 28)),
        # capped at 4 years from the payment
        (D(2020, 1, 1), D(2025, 1, 1), D(2029, 1, 1)),
    ],
)
def test_co_paid_twice_the_arrears_at_most_four_years(arrears, paid, expected):
    assert remove_after(country="CO", first_delinquency_on=arrears, paid_on=paid) == expected


def test_co_unpaid_expires_eight_years_after_the_arrears_began():
    assert remove_after(country="CO", first_delinquency_on=D(2026, 2, 28)) == D(2034, 2, 28)


def test_us_seven_years_from_180_days_after_the_first_delinquency():
    # 2026-03-01 + 180 days = 2026-08-28; + 7 years
    assert remove_after(country="US", first_delinquency_on=D(2026, 3, 1)) == D(2033, 8, 28)


@pytest.mark.parametrize(
    ("pesos", "years"),
    [("200", 1), ("215", 2), ("4300", 2), ("4300.01", 4), ("8600", 4), ("8600.01", 6)],
)
def test_mx_years_by_amount_in_udis(pesos, years):
    # at the default UDI of 8.60 pesos: 25 UDIS = 215, 500 = 4,300, 1,000 = 8,600
    assert mx_years(Decimal(pesos)) == years


@override_settings(BUREAU_MX_UDI="10")
def test_mx_udi_value_is_a_setting():
    assert mx_years(Decimal("240")) == 1
    assert remove_after(
        country="MX", first_delinquency_on=D(2026, 1, 31), amount=Decimal("4000")
    ) == D(2028, 1, 31)
