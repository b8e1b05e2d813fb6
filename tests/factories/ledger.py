"""Book rules, rates and commission for tests."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from ledger.models import (
    AccrualRule,
    CommissionRate,
    CreditType,
    DayCount,
    FeeRule,
    LedgerSettings,
    RateBasis,
    SuspenseItem,
    SuspenseReason,
    UsuryRate,
)
from portfolio.models import Product, Stage
from tests.factories.portfolio import CreditorFactory, DebtFactory


class LedgerSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LedgerSettings

    creditor = factory.SubFactory(CreditorFactory)
    country = "CO"
    application_order = "interest_principal_fees"


class UsuryRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsuryRate

    credit_type = CreditType.CONSUMER_ORDINARY
    valid_from = datetime.date(2026, 1, 1)
    valid_to = datetime.date(2026, 1, 31)
    bank_current_rate = Decimal("16.0000")
    usury_rate = factory.LazyAttribute(lambda o: o.bank_current_rate * Decimal("1.5"))
    resolution = "Resolución 0001 de 2026"


class AccrualRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccrualRule

    creditor = factory.SubFactory(CreditorFactory)
    product = Product.PERSONAL_LOAN
    valid_from = datetime.date(2026, 1, 1)
    annual_rate = Decimal("24.0000")
    rate_basis = RateBasis.EFFECTIVE_ANNUAL
    day_count = DayCount.ACT_365
    grace_days = 0
    credit_type = CreditType.CONSUMER_ORDINARY


class FeeRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeRule

    creditor = factory.SubFactory(CreditorFactory)
    country = "CO"
    stage = Stage.FIRM_NOTICE
    percent = Decimal("10.00")
    disclosed_on = datetime.date(2026, 1, 1)
    disclosure = "Contract clause 12 and the welcome letter."


class CommissionRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionRate

    creditor = factory.SubFactory(CreditorFactory)
    basis = "stage"
    stage = Stage.FRIENDLY_REMINDER
    percent = Decimal("10.00")
    valid_from = datetime.date(2026, 1, 1)


class SuspenseItemFactory(factory.django.DjangoModelFactory):
    """Money held for a debtor whose debt was already paid (reason debt_closed)."""

    class Meta:
        model = SuspenseItem

    debt = factory.SubFactory(DebtFactory, stage=Stage.PAID)
    creditor = factory.SelfAttribute("debt.creditor")
    debtor = factory.SelfAttribute("debt.debtor")
    amount = Decimal("300.00")
    currency = "COP"
    received_at = factory.LazyFunction(timezone.now)
    business_date = factory.LazyFunction(timezone.localdate)
    reference = factory.Sequence(lambda n: f"HELD-{n:06d}")
    method = "pse"
    source = "portal"
    reason = SuspenseReason.DEBT_CLOSED
