"""Book rules, rates and commission for tests."""

import datetime
from decimal import Decimal

import factory

from ledger.models import (
    AccrualRule,
    CommissionRate,
    CreditType,
    DayCount,
    FeeRule,
    LedgerSettings,
    RateBasis,
    UsuryRate,
)
from portfolio.models import Product, Stage
from tests.factories.portfolio import CreditorFactory


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
