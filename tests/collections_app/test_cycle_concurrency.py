"""A payment racing the daily cycle: neither overwrites the other (PostgreSQL, real threads)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

from collections_app.services import cycle
from collections_app.services.payments import payment_record
from portfolio.models import Debt, Stage, StageChange
from tests.factories.portfolio import DebtFactory

pytestmark = [pytest.mark.django_db(transaction=True)]

AS_OF = datetime.date(2026, 6, 1)


def pay_off_in_another_connection(debt_id: int, errors: list) -> None:
    try:
        debt = Debt.objects.get(pk=debt_id)
        payment_record(
            creditor=debt.creditor,
            debt=debt,
            amount=debt.balance,
            currency=debt.currency,
            paid_at=timezone.now(),
            method="bank_transfer",
            reference=f"RACE-{debt_id}",
            source="api",
        )
    except Exception as exc:  # surfaced by the test
        errors.append(exc)
    finally:
        connections.close_all()


def test_payment_committed_while_the_cycle_decides_wins(monkeypatch):
    debt = DebtFactory(due_date=AS_OF - datetime.timedelta(days=20))
    original_load = cycle._load_open_debts
    errors: list = []

    def load_then_pay(business_date, **options):
        frame = original_load(business_date, **options)
        # the cycle has read the debt as `current`; a payment lands before it writes
        worker = threading.Thread(target=pay_off_in_another_connection, args=(debt.pk, errors))
        worker.start()
        worker.join(timeout=30)
        return frame

    monkeypatch.setattr(cycle, "_load_open_debts", load_then_pay)
    run = cycle.cycle_run(as_of=AS_OF)[0]

    assert not errors
    debt.refresh_from_db()
    assert debt.stage == Stage.PAID and debt.balance == Decimal("0")
    # the cycle did not claim a move it did not make
    assert run.debts_moved == 0
    assert list(StageChange.objects.values_list("transition", flat=True)) == ["mark_paid"]


def test_payment_arriving_while_the_cycle_holds_the_row_waits_then_applies(monkeypatch):
    debt = DebtFactory(due_date=AS_OF - datetime.timedelta(days=20))
    original_store = cycle._store_actions
    errors: list = []
    worker = threading.Thread(target=pay_off_in_another_connection, args=(debt.pk, errors))

    def store_while_payment_waits(actions, **kwargs):
        # the cycle has moved the debt (row locked, not committed); the payment must wait
        worker.start()
        worker.join(timeout=1)
        assert worker.is_alive(), "the payment should be blocked by the cycle's row lock"
        return original_store(actions, **kwargs)

    monkeypatch.setattr(cycle, "_store_actions", store_while_payment_waits)
    cycle.cycle_run(as_of=AS_OF)
    worker.join(timeout=30)

    assert not errors
    debt.refresh_from_db()
    assert debt.stage == Stage.PAID and debt.balance == Decimal("0")
    transitions = list(StageChange.objects.order_by("id").values_list("from_stage", "to_stage"))
    assert transitions == [
        (Stage.CURRENT, Stage.FIRM_NOTICE),
        (Stage.FIRM_NOTICE, Stage.PAID),
    ]
