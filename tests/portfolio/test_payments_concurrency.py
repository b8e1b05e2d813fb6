"""Concurrent writers on PostgreSQL: the idempotency key and the debt row lock hold under races."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connections
from rest_framework.test import APIClient

from collections_app.services.payments import payment_record
from core.exceptions import ApplicationError
from ledger.models import ApplicationOrder, LedgerSettings
from ledger.services import payments as payments_service
from portfolio.models import Payment
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

# Run against PostgreSQL (DATABASE_URL): row locks and concurrent sessions are the point here.
pytestmark = pytest.mark.django_db(transaction=True)

PAID_AT = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)
THREADS = 6


def run_at_once(count, work):
    """Run work(i) in `count` threads released together; returns results or exceptions."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.fixture
def debt():
    creditor = CreditorFactory(code="banco-andino")
    # The original order (fees first), which the assertions below spell out.
    LedgerSettings.objects.create(
        creditor=creditor, country="CO", application_order=ApplicationOrder.FEES_INTEREST_PRINCIPAL
    )
    return DebtFactory(
        creditor=creditor,
        principal=Decimal("1000.00"),
        interest=Decimal("100.00"),
        fees=Decimal("20.00"),
    )


def record(debt, *, reference, amount="10.00"):
    return payment_record(
        creditor=debt.creditor,
        debt=debt,
        amount=Decimal(amount),
        currency=debt.currency,
        paid_at=PAID_AT,
        method="pse",
        reference=reference,
        source="api",
    )


def test_same_reference_at_once_records_one_payment(debt):
    # Given several workers delivering the same payment at the same moment
    results = run_at_once(THREADS, lambda i: record(debt, reference="SAME", amount="150.00"))

    # Then exactly one recorded it, the others got that payment back, and the balance fell once
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _, created in results) == [False] * (THREADS - 1) + [True]
    assert len({payment.pk for payment, _ in results}) == 1
    assert Payment.objects.count() == 1
    debt.refresh_from_db()
    assert debt.balance == Decimal("970.00")


def test_same_reference_on_two_debts_at_once_records_one(debt, monkeypatch):
    other = DebtFactory(creditor=debt.creditor, principal=Decimal("500.00"), interest=0, fees=0)
    # Both requests pass the "reference already recorded?" check before either inserts, so the
    # unique constraint (not the debt lock) has to decide.
    both_checked = threading.Barrier(2)
    original_save = Payment.save

    def save_after_both_checked(self, *args, **kwargs):
        both_checked.wait(timeout=10)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(payments_service.Payment, "save", save_after_both_checked)

    results = run_at_once(2, lambda i: record([debt, other][i], reference="SAME"))

    recorded = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(recorded) == 1 and recorded[0][1] is True, results
    assert len(refused) == 1 and refused[0].field == "reference"
    assert Payment.objects.count() == 1
    winner = Payment.objects.get()
    before = {debt.pk: Decimal("1120.00"), other.pk: Decimal("500.00")}
    debt.refresh_from_db()
    other.refresh_from_db()
    # The winner's debt fell by the payment once; the refused one is untouched.
    assert debt.balance == before[debt.pk] - (winner.amount if winner.debt_id == debt.pk else 0)
    assert other.balance == before[other.pk] - (winner.amount if winner.debt_id == other.pk else 0)


def test_different_references_on_one_debt_lose_no_update(debt):
    # Given eight payments of 10.00 arriving on the same debt at once
    count = 8
    results = run_at_once(count, lambda i: record(debt, reference=f"REF-{i}"))

    # Then all are recorded and the balance reflects every one of them
    assert all(isinstance(r, tuple) and r[1] for r in results), results
    debt.refresh_from_db()
    assert debt.balance == Decimal("1040.00")
    assert (debt.fees, debt.interest, debt.principal) == (
        Decimal("0"),
        Decimal("40.00"),
        Decimal("1000.00"),
    )
    payments = Payment.objects.all()
    assert sum(p.allocated_fees for p in payments) == Decimal("20.00")
    assert sum(p.allocated_interest for p in payments) == Decimal("60.00")


def test_racing_payments_cannot_overpay(debt):
    # Given two payments that each fit the balance but not together
    results = run_at_once(2, lambda i: record(debt, reference=f"BIG-{i}", amount="700.00"))

    # Then one is recorded and the other refused with the balance left
    assert sum(isinstance(r, tuple) for r in results) == 1, results
    refused = next(r for r in results if isinstance(r, ApplicationError))
    assert "outstanding balance of COP\xa0420.00" in refused.message
    debt.refresh_from_db()
    assert debt.balance == Decimal("420.00")


def test_same_reference_through_the_api_at_once(debt):
    manager = ManagerFactory(username="gloria", creditors=[debt.creditor])
    body = {
        "debt": debt.pk,
        "amount": "150.00",
        "currency": debt.currency,
        "paid_at": "2026-11-02T09:30:00Z",
        "method": "pse",
        "reference": "WEBHOOK-1",
    }

    def post(i):
        client = APIClient()
        client.force_authenticate(manager)
        response = client.post("/api/v1/payments/", body, format="json")
        return response.status_code, response.json()["id"]

    results = run_at_once(THREADS, post)

    assert sorted(status for status, _ in results) == [200] * (THREADS - 1) + [201], results
    assert len({pk for _, pk in results}) == 1
    assert Payment.objects.count() == 1
    debt.refresh_from_db()
    assert debt.balance == Decimal("970.00")
