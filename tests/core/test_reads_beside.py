"""core.bulk.reads_beside: two reads at once on two connections, only where the second
connection reads what the first would; one after the other on this connection otherwise."""

import threading
import time

import pytest
from django.db import DatabaseError, connection, transaction

from core.bulk import reads_beside, transaction_reads_committed_rows
from portfolio.models import Creditor
from tests.factories.portfolio import CreditorFactory


def _backend() -> tuple[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0], threading.current_thread().name


def _gone(pid: int, *, seconds: float = 10) -> bool:
    """Whether backend `pid` has ended (a closed connection's backend exits just after)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_in_a_transaction_of_its_own_the_second_read_runs_at_once_on_its_own_connection():
    CreditorFactory(code="committed")
    started = threading.Barrier(2, timeout=10)

    def main():
        started.wait()  # both reads are under way at the same time
        return _backend()

    def beside():
        started.wait()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('transaction_read_only')")
            read_only = cursor.fetchone()[0]
        return _backend(), read_only, list(Creditor.objects.values_list("code", flat=True))

    with transaction.atomic():
        assert transaction_reads_committed_rows()
        (main_pid, main_thread), ((pid, thread), read_only, codes) = reads_beside(main, beside)
    assert main_thread == threading.current_thread().name
    assert thread.startswith("reads-beside") and pid != main_pid
    # read-only, and it sees the committed rows
    assert read_only == "on" and codes == ["committed"]
    # and its connection is closed once it is done
    assert _gone(pid)


@pytest.mark.django_db(transaction=True)
def test_an_error_beside_reaches_the_caller_and_nothing_is_written():
    def beside():
        Creditor.objects.create(code="written", name="Written beside")

    with pytest.raises(DatabaseError, match="read-only transaction"):
        reads_beside(lambda: None, beside)
    assert not Creditor.objects.filter(code="written").exists()


@pytest.mark.django_db
def test_inside_a_callers_transaction_both_read_here_one_after_the_other():
    # The test's transaction holds this row uncommitted: another connection would not see it.
    CreditorFactory(code="uncommitted")
    order = []

    def main():
        order.append("main")
        return _backend()

    def beside():
        order.append("beside")
        return _backend(), list(Creditor.objects.values_list("code", flat=True))

    with transaction.atomic():
        assert not transaction_reads_committed_rows()
        (main_pid, main_thread), ((pid, thread), codes) = reads_beside(main, beside)
    assert order == ["main", "beside"]
    assert (pid, thread) == (main_pid, main_thread) == (main_pid, threading.current_thread().name)
    assert codes == ["uncommitted"]
