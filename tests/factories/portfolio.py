import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from portfolio.models import (
    Channel,
    ContactPoint,
    Creditor,
    Debt,
    Debtor,
    Payment,
    Portfolio,
)


class CreditorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Creditor
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cred-{n}")
    name = factory.Faker("company", locale="es_CO")
    kind = Creditor.Kind.BANK
    country = "CO"


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    creditor = factory.SubFactory(CreditorFactory)
    name = factory.Sequence(lambda n: f"Cartera {n}")
    assigned_on = datetime.date(2026, 1, 15)


class DebtorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Debtor

    creditor = factory.SubFactory(CreditorFactory)
    debtor_ref = factory.Sequence(lambda n: f"D{n:07d}")
    document_type = "CC"
    document_number = factory.Sequence(lambda n: f"{1010000000 + n}")
    full_name = factory.Faker("name", locale="es_CO")
    city = "Bogotá"
    country = "CO"
    timezone = "America/Bogota"
    language = "es"


class ContactPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPoint

    debtor = factory.SubFactory(DebtorFactory)
    channel = Channel.EMAIL
    value = factory.Sequence(lambda n: f"deudor{n}@example.com")
    is_primary = True
    consent_granted = True
    consent_source = "import"
    consent_changed_at = factory.LazyFunction(timezone.now)


class DebtFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Debt

    creditor = factory.SubFactory(CreditorFactory)
    debtor = factory.SubFactory(DebtorFactory, creditor=factory.SelfAttribute("..creditor"))
    portfolio = factory.SubFactory(PortfolioFactory, creditor=factory.SelfAttribute("..creditor"))
    debt_ref = factory.Sequence(lambda n: f"OBL-{n:08d}")
    product = "credit_card"
    currency = "COP"
    original_amount = Decimal("1500000.00")
    principal = Decimal("1000000.00")
    interest = Decimal("150000.00")
    fees = Decimal("20000.00")
    balance = factory.LazyAttribute(lambda d: d.principal + d.interest + d.fees)
    due_date = datetime.date(2026, 10, 1)
    opened_date = datetime.date(2024, 5, 1)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    debt = factory.SubFactory(DebtFactory)
    creditor = factory.SelfAttribute("debt.creditor")
    amount = Decimal("10000.00")
    currency = factory.SelfAttribute("debt.currency")
    paid_at = factory.LazyFunction(timezone.now)
    method = Payment.Method.BANK_TRANSFER
    source = Payment.Source.MANUAL
    reference = factory.Sequence(lambda n: f"PAY-{n:08d}")
    allocated_principal = factory.SelfAttribute("amount")
