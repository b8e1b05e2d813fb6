"""atomic_with_retry: a transaction PostgreSQL aborts as a deadlock victim runs again."""

import pytest
from django.db import OperationalError, transaction

from core import transactions
from core.transactions import ATTEMPTS, atomic_with_retry


class _DriverError(Exception):
    def __init__(self, pgcode):
        super().__init__(pgcode)
        self.pgcode = pgcode


def _lost(pgcode="40P01"):
    """What Django raises when PostgreSQL ends the transaction (the driver's error as cause)."""
    try:
        raise _DriverError(pgcode)
    except _DriverError as exc:
        raise OperationalError(f"SQLSTATE {pgcode}") from exc


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch):
    monkeypatch.setattr(transactions.time, "sleep", lambda seconds: None)


def _unit(fail_times, pgcode="40P01"):
    calls = []

    @atomic_with_retry
    def unit():
        calls.append(transaction.get_connection().in_atomic_block)
        if len(calls) <= fail_times:
            _lost(pgcode)
        return "done"

    return unit, calls


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pgcode", ["40P01", "40001"])
def test_a_deadlock_or_serialisation_loss_is_run_again_in_a_new_transaction(pgcode):
    unit, calls = _unit(fail_times=2, pgcode=pgcode)
    assert unit() == "done"
    assert calls == [True, True, True]


@pytest.mark.django_db(transaction=True)
def test_it_gives_up_after_the_last_attempt():
    unit, calls = _unit(fail_times=ATTEMPTS)
    with pytest.raises(OperationalError):
        unit()
    assert len(calls) == ATTEMPTS


@pytest.mark.django_db(transaction=True)
def test_other_database_errors_are_not_retried():
    unit, calls = _unit(fail_times=1, pgcode="55P03")  # lock_not_available
    with pytest.raises(OperationalError):
        unit()
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_only_the_caller_can_retry():
    unit, calls = _unit(fail_times=1)
    with pytest.raises(OperationalError), transaction.atomic():
        unit()
    assert len(calls) == 1
