"""Reversals racing payments and each other on PostgreSQL, in threads with their own connections:
they queue on the debts' row locks (in the documented order), so both succeed or serialize,
balances come out exact, nothing is reversed twice and nobody deadlocks."""

import datetime
from decimal import Decimal

import pytest

from agreements.models import AgreementStatus, PaymentAgreement
from agreements.services.lifecycle import agreement_approve, agreement_create
from collections_app.services.payments import payment_record
from collections_app.services.policies import policy_ensure_defaults
from collections_app.services.reversals import payment_reverse
from ledger.models import EntryKind, LedgerEntry, PaymentReversal
from portfolio.models import Debt, Payment, Stage
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, ManagerFactory
from tests.portfolio.test_payments_concurrency import THREADS, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

AS_OF = datetime.date(2026, 11, 2)
PAID_AT = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)
LATER = datetime.date(2026, 11, 6)


@pytest.fixture
def creditor():
    creditor = CreditorFactory(code="banco-andino")
    policy_ensure_defaults(creditors=[creditor])
    return creditor


@pytest.fixture
def manager(creditor):
    return ManagerFactory(username="jefa", creditors=[creditor])


def make_debt(creditor, **fields):
    return DebtFactory(
        creditor=creditor,
        stage=Stage.FIRM_NOTICE,
        principal=Decimal("1000.00"),
        interest=Decimal("100.00"),
        fees=Decimal("20.00"),
        due_date=datetime.date(2026, 10, 1),
        **fields,
    )


def pay(debt, reference, amount):
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


def reverse(payment, manager):
    return payment_reverse(
        payment_id=payment.pk,
        reason="bounced",
        source="staff",
        user=manager,
        business_date=LATER,
    )


def ledger_total(debt) -> Decimal:
    return sum((e.amount for e in LedgerEntry.objects.filter(debt=debt)), Decimal(0))


def test_a_reversal_and_a_payment_at_once_both_land(creditor, manager):
    # Given a debt of 1,120.00 with a payment of 200.00 on it
    debt = make_debt(creditor)
    bounced, _ = pay(debt, "P1", "200.00")

    # When the bounce is reversed while a new payment of 300.00 arrives, at the same moment
    def work(i):
        return reverse(bounced, manager) if i == 0 else pay(debt, "P2", "300.00")

    results = run_at_once(2, work)

    # Then both succeed (one waited for the other), and the balance counts exactly the new one
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0][1] is True and results[1][1] is True
    debt.refresh_from_db()
    assert debt.balance == Decimal("820.00")
    assert debt.principal + debt.interest + debt.fees == debt.balance
    # the ledger agrees: the payment, its reversal, the new payment
    assert ledger_total(debt) == Decimal("-300.00")
    assert LedgerEntry.objects.filter(payment=bounced, kind=EntryKind.REVERSAL).count() == 1


def test_the_same_reversal_at_once_reverses_once(creditor, manager):
    debt = make_debt(creditor)
    payment, _ = pay(debt, "P1", "500.00")

    results = run_at_once(THREADS, lambda i: reverse(payment, manager))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _, created in results) == [False] * (THREADS - 1) + [True]
    assert len({reversal.pk for reversal, _ in results}) == 1
    assert PaymentReversal.objects.count() == 1
    debt.refresh_from_db()
    assert debt.balance == Decimal("1120.00")
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1


def test_paying_off_while_the_payoff_is_reversed(creditor, manager):
    # Given a debt paid off, whose payoff bounces just as the debtor pays it again by another
    # transfer: the new one can only land once the reversal has reopened the debt (it is
    # refused while the debt is still paid), and never lands twice
    debt = make_debt(creditor)
    payoff, _ = pay(debt, "FULL", "1120.00")

    def work(i):
        return reverse(payoff, manager) if i == 0 else pay(debt, "FULL-2", "1120.00")

    results = run_at_once(2, work)

    assert not isinstance(results[0], Exception), results
    debt.refresh_from_db()
    if isinstance(results[1], Exception):
        # the payment went first and found the debt still paid: refused, nothing written
        assert debt.stage != Stage.PAID and debt.balance == Decimal("1120.00")
        assert not Payment.objects.filter(reference="FULL-2").exists()
    else:
        # the reversal went first: the new payment pays it off again
        assert debt.stage == Stage.PAID and debt.balance == 0
    assert ledger_total(debt) == -(Decimal("1120.00") - debt.balance)


def test_a_reversal_and_a_payment_on_one_agreements_debts_do_not_deadlock(creditor, manager):
    # Given an agreement over two debts of one debtor, with payments on the first
    collector = CollectorFactory(username="gestor")
    first = make_debt(creditor, assigned_to=collector)
    second = make_debt(creditor, assigned_to=collector, debtor=first.debtor)
    agreement = agreement_create(
        user=collector,
        debt_ids=[first.pk, second.pk],
        as_of=AS_OF,
        kind="instalment_plan",
        instalment_count=3,
        frequency="monthly",
        first_due_date=datetime.date(2026, 11, 10),
        down_payment=Decimal("200.00"),
        channel="phone",
    )
    # (two debts and 3 instalments go beyond a collector's limits: the manager approves)
    agreement = agreement_approve(agreement=agreement, user=manager, as_of=AS_OF, reason="Ok")
    assert agreement.status == AgreementStatus.ACTIVE
    bounced = [pay(first, f"A{n}", "100.00")[0] for n in range(3)]

    # When each is reversed while a payment arrives on the second debt (both writers lock both
    # debts, then the agreement, in the same order)
    for n in range(3):
        results = run_at_once(
            2,
            lambda i, n=n: (
                reverse(bounced[n], manager) if i == 0 else pay(second, f"B{n}", "100.00")
            ),
        )
        assert not [r for r in results if isinstance(r, Exception)], results

    # Then the agreement counts exactly the second debt's payments
    agreement = PaymentAgreement.objects.get(pk=agreement.pk)
    assert agreement.paid_amount == Decimal("300.00")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.balance == Decimal("1120.00")
    assert second.balance == Decimal("820.00")
