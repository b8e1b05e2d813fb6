"""Races on PostgreSQL: a payment against an approval, two payments on one agreement's debts."""

import datetime
from decimal import Decimal

import pytest

from agreements.models import AgreementStatus, Instalment, PaymentAgreement
from agreements.services.lifecycle import agreement_approve, agreement_create
from collections_app.services.payments import payment_record
from portfolio.models import Debt, Stage
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, ManagerFactory
from tests.portfolio.test_payments_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

AS_OF = datetime.date(2026, 11, 2)
PAID_AT = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)


def _setup(debts=1):
    creditor = CreditorFactory(code="banco-andino")
    collector = CollectorFactory(username="gestor")
    manager = ManagerFactory(username="jefa", creditors=[creditor])
    first = DebtFactory(
        creditor=creditor,
        assigned_to=collector,
        stage=Stage.FIRM_NOTICE,
        principal=Decimal("1000.00"),
        interest=Decimal("0"),
        fees=Decimal("0"),
    )
    rest = [
        DebtFactory(
            creditor=creditor,
            debtor=first.debtor,
            assigned_to=collector,
            stage=Stage.FRIENDLY_REMINDER,
            principal=Decimal("1000.00"),
            interest=Decimal("0"),
            fees=Decimal("0"),
        )
        for _ in range(debts - 1)
    ]
    return creditor, collector, manager, [first, *rest]


def _pay(debt, reference, amount="100.00"):
    return payment_record(
        creditor=debt.creditor,
        debt=Debt.objects.get(pk=debt.pk),
        amount=Decimal(amount),
        currency=debt.currency,
        paid_at=PAID_AT,
        method="pse",
        reference=reference,
        source="api",
    )


@pytest.mark.parametrize("attempt", range(3))
def test_a_payment_racing_an_approval_is_counted_either_way(attempt):
    # Given an agreement waiting for approval (24 instalments: beyond the collector's limit)
    _creditor, collector, manager, (debt,) = _setup()
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=AS_OF,
        kind="instalment_plan",
        instalment_count=24,
        frequency="monthly",
        first_due_date=datetime.date(2026, 11, 10),
        down_payment=Decimal("100.00"),
        channel="phone",
    )
    assert agreement.status == AgreementStatus.PENDING_APPROVAL

    # When the manager approves at the same moment the down payment arrives
    def work(i):
        if i == 0:
            return agreement_approve(
                agreement=PaymentAgreement.objects.get(pk=agreement.pk),
                user=manager,
                as_of=AS_OF,
                reason="Aprobado",
            )
        return _pay(debt, f"RACE-{attempt}")

    results = run_at_once(2, work)

    # Then both succeeded and, whichever went first, the down payment is paid exactly once
    assert not [r for r in results if isinstance(r, Exception)], results
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.paid_amount == Decimal("100.00")
    down = Instalment.objects.get(agreement=agreement, number=0)
    assert (down.paid_amount, down.status) == (Decimal("100.00"), "paid")
    assert Debt.objects.get(pk=debt.pk).balance == Decimal("900.00")


def test_payments_on_two_debts_of_one_agreement_at_once_do_not_deadlock():
    _creditor, collector, _manager, debts = _setup(debts=2)
    agreement = agreement_create(
        user=collector,
        debt_ids=[d.pk for d in debts],
        as_of=AS_OF,
        kind="instalment_plan",
        instalment_count=4,
        frequency="weekly",
        first_due_date=datetime.date(2026, 11, 10),
        down_payment=Decimal("400.00"),
        channel="phone",
    )
    assert agreement.status == AgreementStatus.ACTIVE

    results = run_at_once(4, lambda i: _pay(debts[i % 2], f"TWO-{i}"))

    assert not [r for r in results if isinstance(r, Exception)], results
    agreement.refresh_from_db()
    assert agreement.paid_amount == Decimal("400.00")
    assert Instalment.objects.get(agreement=agreement, number=0).status == "paid"


@pytest.mark.parametrize("attempt", range(2))
def test_a_payment_racing_the_cycle_break_leaves_a_consistent_state(attempt):
    from collections_app.services.cycle import cycle_run_date

    # Given an agreement whose only instalment is past its grace days
    _creditor, collector, _manager, (debt,) = _setup()
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=datetime.date(2026, 10, 1),
        kind="instalment_plan",
        instalment_count=2,
        frequency="weekly",
        first_due_date=datetime.date(2026, 10, 2),
        down_payment=Decimal("500.00"),
        channel="phone",
        grace_days=1,
    )
    business_date = datetime.date(2026, 10, 5)

    # When the cycle breaks it at the moment the overdue down payment arrives
    def work(i):
        if i == 0:
            return cycle_run_date(business_date=business_date)
        return _pay(debt, f"LATE-{attempt}", amount="500.00")

    results = run_at_once(2, work)
    assert not [r for r in results if isinstance(r, Exception)], results

    # Then either the payment came first (still active, down payment paid) or the cycle did
    # (broken, debt back on its stage, the payment simply recorded on the debt)
    agreement.refresh_from_db()
    debt.refresh_from_db()
    down = Instalment.objects.get(agreement=agreement, number=0)
    assert debt.balance == Decimal("500.00")
    if agreement.status == AgreementStatus.ACTIVE:
        assert down.status == "paid" and debt.stage == Stage.CURRENT
    else:
        assert agreement.status == AgreementStatus.BROKEN
        assert down.status == "missed" and debt.stage == Stage.FIRM_NOTICE
