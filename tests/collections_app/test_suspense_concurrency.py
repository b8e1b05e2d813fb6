"""Two staff using one suspense item at once: the item's row lock never lets it be overdrawn."""

import datetime
from decimal import Decimal

import pytest

from collections_app.services.suspense import suspense_apply, suspense_refund
from core.exceptions import ApplicationError
from ledger.models import SuspenseItem, SuspenseMovement
from portfolio.models import Payment, Stage
from tests.factories.ledger import SuspenseItemFactory
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory
from tests.portfolio.test_payments_concurrency import run_at_once

# Run against PostgreSQL (DATABASE_URL): row locks and concurrent sessions are the point here.
pytestmark = pytest.mark.django_db(transaction=True)

TODAY = datetime.date(2026, 11, 20)
THREADS = 6


@pytest.fixture
def world():
    creditor = CreditorFactory(code="banco-andino")
    paid = DebtFactory(creditor=creditor, stage=Stage.PAID, principal=0, interest=0, fees=0)
    item = SuspenseItemFactory(debt=paid, amount=Decimal("300.00"))
    debts = [
        DebtFactory(creditor=creditor, debtor=paid.debtor, principal=Decimal("1000.00"))
        for _ in range(2)
    ]
    staff = [ManagerFactory(username=f"m{i}", creditors=[creditor]) for i in range(THREADS)]
    return item, debts, staff


def test_staff_applying_one_item_at_once_never_overdraw_it(world):
    # Given an item of 300 and six managers each applying 100 of it at the same moment,
    # to two different debts of the debtor
    item, debts, staff = world

    def work(i):
        return suspense_apply(
            item_id=item.pk, debt_id=debts[i % 2].pk, amount=Decimal("100.00"),
            user=staff[i], business_date=TODAY,
        )  # fmt: skip

    results = run_at_once(THREADS, work)

    # Then exactly three succeed, the others are told nothing is left; never a crash
    done = [r for r in results if isinstance(r, SuspenseMovement)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert (len(done), len(refused)) == (3, 3), results
    item.refresh_from_db()
    assert (item.applied_amount, item.remaining, item.status) == (
        Decimal("300.00"),
        Decimal("0.00"),
        "resolved",
    )
    # And each success is one payment of source suspense under its own reference
    references = sorted(Payment.objects.values_list("reference", flat=True))
    assert references == [f"suspense:{item.pk}:{n}" for n in (1, 2, 3)]
    assert set(Payment.objects.values_list("source", flat=True)) == {"suspense"}


def test_an_apply_and_a_refund_of_the_whole_item_at_once_let_only_one_through(world):
    item, debts, staff = world

    def work(i):
        if i == 0:
            return suspense_apply(item_id=item.pk, debt_id=debts[0].pk,
                                  amount=Decimal("300.00"), user=staff[0],
                                  business_date=TODAY)  # fmt: skip
        return suspense_refund(item_id=item.pk, amount=Decimal("300.00"),
                               refund_reference="TRF-1", note="", user=staff[1],
                               business_date=TODAY)  # fmt: skip

    results = run_at_once(2, work)

    assert sum(isinstance(r, SuspenseMovement) for r in results) == 1, results
    assert sum(isinstance(r, ApplicationError) for r in results) == 1, results
    item = SuspenseItem.objects.get(pk=item.pk)
    assert item.applied_amount + item.refunded_amount == Decimal("300.00")
    assert SuspenseMovement.objects.count() == 1
