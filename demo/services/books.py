"""The ledger in the demo: certified usury rates, each creditor's accrual, fee and commission
rules, and the application order a manager would set.

The rates are made-up figures of the right size, marked as such in the resolution field: a
real operation loads the Superintendencia Financiera's certification every month.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User

from ledger.models import (
    AccrualRule,
    ApplicationOrder,
    CommissionRate,
    CreditType,
    DayCount,
    FeeRule,
    LedgerSettings,
    RateBasis,
    UsuryRate,
)
from portfolio.models import Creditor, Product, Stage

MANAGER = "gerente"
DEMO_RESOLUTION = "Demo figures: not a Superintendencia Financiera certification"
# Bank current rate (IBC, % E.A.) per credit type; the usury ceiling is 1.5 times it.
IBC = {
    CreditType.CONSUMER_ORDINARY: Decimal("17.8400"),
    CreditType.MICROCREDIT: Decimal("38.2600"),
    CreditType.LOW_AMOUNT_CONSUMER: Decimal("46.1900"),
}
# creditor: [(product, % a year, basis, day count, grace days, credit type)]
ACCRUAL = {
    "banco-andino": [
        (Product.CREDIT_CARD, "26.5", RateBasis.EFFECTIVE_ANNUAL, DayCount.ACT_365, 0,
         CreditType.CONSUMER_ORDINARY),
        (Product.PERSONAL_LOAN, "24.0", RateBasis.EFFECTIVE_ANNUAL, DayCount.ACT_365, 5,
         CreditType.CONSUMER_ORDINARY),
        (Product.AUTO_LOAN, "21.0", RateBasis.EFFECTIVE_ANNUAL, DayCount.ACT_365, 5,
         CreditType.CONSUMER_ORDINARY),
        (Product.MORTGAGE, "15.0", RateBasis.EFFECTIVE_ANNUAL, DayCount.ACT_365, 10,
         CreditType.CONSUMER_ORDINARY),
    ],
    "finzo": [
        (Product.MICROCREDIT, "72.0", RateBasis.NOMINAL_ANNUAL, DayCount.ACT_360, 3,
         CreditType.MICROCREDIT),
        (Product.PERSONAL_LOAN, "48.0", RateBasis.NOMINAL_ANNUAL, DayCount.ACT_360, 3,
         CreditType.CONSUMER_ORDINARY),
        (Product.CREDIT_CARD, "60.0", RateBasis.NOMINAL_ANNUAL, DayCount.ACT_360, 0,
         CreditType.CONSUMER_ORDINARY),
    ],
    "energia-del-valle": [
        (Product.UTILITY, "20.0", RateBasis.EFFECTIVE_ANNUAL, DayCount.ACT_365, 0,
         CreditType.CONSUMER_ORDINARY),
        (Product.RETAIL, "25.0", RateBasis.EFFECTIVE_ANNUAL, DayCount.ACT_365, 0,
         CreditType.CONSUMER_ORDINARY),
    ],
}  # fmt: skip
# creditor: [(stage, %)] by stage, or [(min dpd, max dpd, %)] by age
COMMISSION_BY_STAGE = {
    "banco-andino": [
        (Stage.CURRENT, "5"), (Stage.FRIENDLY_REMINDER, "8"), (Stage.FIRM_NOTICE, "12"),
        (Stage.PRE_LEGAL, "18"), (Stage.LEGAL, "25"),
    ],
    "energia-del-valle": [
        (Stage.CURRENT, "4"), (Stage.FRIENDLY_REMINDER, "6"), (Stage.FIRM_NOTICE, "10"),
        (Stage.PRE_LEGAL, "15"), (Stage.LEGAL, "20"),
    ],
}  # fmt: skip
COMMISSION_BY_AGE = {"finzo": [(0, 30, "7"), (31, 90, "14"), (91, 180, "22"), (181, None, "30")]}


@dataclass
class DemoBooks:
    usury_rates: int
    accrual_rules: int
    commission_rates: int


def _months(as_of: datetime.date, count: int):
    """The first and last day of the `count` months up to and including as_of's month."""
    year, month = as_of.year, as_of.month
    for _ in range(count):
        start = datetime.date(year, month, 1)
        nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
        yield start, nxt - datetime.timedelta(days=1)
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)


def demo_books(*, as_of: datetime.date) -> DemoBooks:
    """Load the demo's rates and rules (idempotent: what exists is kept)."""
    manager = User.objects.filter(username=MANAGER).first()
    usury = 0
    # A year of monthly certifications, the IBC easing a little each month back in time.
    for back, (start, end) in enumerate(_months(as_of, 12)):
        for credit_type, ibc in IBC.items():
            rate = ibc + Decimal("0.1500") * back
            _row, created = UsuryRate.objects.get_or_create(
                credit_type=credit_type,
                valid_from=start,
                defaults={
                    "valid_to": end,
                    "bank_current_rate": rate,
                    "usury_rate": rate * Decimal("1.5"),
                    "resolution": DEMO_RESOLUTION,
                    "loaded_by": manager,
                },
            )
            usury += created
    creditors = {c.code: c for c in Creditor.objects.filter(code__in=ACCRUAL)}
    since = as_of.replace(day=1) - datetime.timedelta(days=365)
    rules = 0
    for code, rows in ACCRUAL.items():
        creditor = creditors.get(code)
        if creditor is None:
            continue
        for product, rate, basis, day_count, grace, credit_type in rows:
            _rule, created = AccrualRule.objects.get_or_create(
                creditor=creditor,
                product=product,
                valid_from=since,
                defaults={
                    "annual_rate": Decimal(rate),
                    "rate_basis": basis,
                    "day_count": day_count,
                    "grace_days": grace,
                    "credit_type": credit_type,
                    "created_by": manager,
                },
            )
            rules += created
    # Finzo (Mexico) sets its own ceiling; Banco Andino keeps Colombia's default order.
    if "finzo" in creditors:
        LedgerSettings.objects.get_or_create(
            creditor=creditors["finzo"],
            country="MX",
            defaults={
                "application_order": ApplicationOrder.FEES_INTEREST_PRINCIPAL,
                "max_late_rate": Decimal("65.0000"),
                "updated_by": manager,
            },
        )
    if "banco-andino" in creditors:
        FeeRule.objects.get_or_create(
            creditor=creditors["banco-andino"],
            country="CO",
            stage=Stage.PRE_LEGAL,
            is_active=True,
            defaults={
                "percent": Decimal("10.00"),
                "max_amount": Decimal("500000.00"),
                "disclosed_on": since,
                "disclosure": "Reglamento de la tarjeta, cláusula 18, y carta de bienvenida.",
                "created_by": manager,
            },
        )
    commission = 0
    for code, rows in COMMISSION_BY_STAGE.items():
        if code in creditors:
            for stage, percent in rows:
                _rate, created = CommissionRate.objects.get_or_create(
                    creditor=creditors[code], basis="stage", stage=stage, valid_from=since,
                    defaults={"percent": Decimal(percent), "created_by": manager},
                )  # fmt: skip
                commission += created
    for code, rows in COMMISSION_BY_AGE.items():
        if code in creditors:
            for low, high, percent in rows:
                _rate, created = CommissionRate.objects.get_or_create(
                    creditor=creditors[code], basis="age", min_dpd=low, max_dpd=high,
                    valid_from=since, defaults={"percent": Decimal(percent), "created_by": manager},
                )  # fmt: skip
                commission += created
    return DemoBooks(usury_rates=usury, accrual_rules=rules, commission_rates=commission)
