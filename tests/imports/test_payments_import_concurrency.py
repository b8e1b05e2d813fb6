"""A payments file racing a payment on another debt of the same agreement (PostgreSQL, threads).

The file locks the debts it names together with every debt an open agreement binds to them,
in id order, before the agreement (portfolio.services.locks): the order a payment takes them in.
"""

import datetime
import logging
import queue
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from agreements.models import AgreementStatus
from agreements.services.lifecycle import agreement_create
from collections_app.services.payments import payment_record
from core.exceptions import ApplicationError
from imports.models import ImportBatch
from imports.services import payments_file
from portfolio.models import Debt, Payment, Stage
from tests.factories.portfolio import DebtFactory, DebtorFactory
from tests.factories.users import ManagerFactory
from tests.imports.test_payments_import import csv_text, run_file

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _blocked(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return
            time.sleep(0.02)
    raise AssertionError(f"backend {pid} never waited for a lock")


def test_a_file_completing_an_agreement_and_a_payment_on_its_other_debt_do_not_deadlock(
    tmp_path, creditor, monkeypatch, caplog
):
    # Given a settlement of 1,000.00 over two debts of 1,000.00 (the lower id not in the file)
    manager = ManagerFactory(username="jefa", creditors=[creditor])
    debtor = DebtorFactory(creditor=creditor)
    money = {"principal": Decimal("1000.00"), "interest": Decimal("0"), "fees": Decimal("0")}
    sibling = DebtFactory(creditor=creditor, debtor=debtor, stage=Stage.FIRM_NOTICE, **money)
    named = DebtFactory(creditor=creditor, debtor=debtor, stage=Stage.FIRM_NOTICE, **money)
    assert sibling.pk < named.pk
    today = timezone.localdate()
    agreement = agreement_create(
        user=manager,
        debt_ids=[sibling.pk, named.pk],
        as_of=today,
        kind="settlement",
        agreed_total="1000.00",
        instalment_count=1,
        frequency="monthly",
        first_due_date=today + datetime.timedelta(days=5),
        down_payment="0",
        channel="phone",
    )
    assert agreement.status == AgreementStatus.ACTIVE

    # and a payments file paying the named debt in full, which completes the agreement: it
    # pauses once its payments are written, until a payment on the other debt is waiting
    payer = queue.Queue()
    written = threading.Event()
    original = payments_file.payments_after_bulk

    def after_bulk(**kwargs):
        written.set()
        _blocked(payer.get(timeout=10))
        return original(**kwargs)

    monkeypatch.setattr(payments_file, "payments_after_bulk", after_bulk)
    paid_at = timezone.now().replace(microsecond=0).isoformat()
    text = csv_text(f"{named.debt_ref},1000.00,COP,{paid_at},pse,FILE-1")
    outcome = {}

    def import_file():
        try:
            outcome["batch"] = run_file(tmp_path, creditor, text)
        except Exception as exc:  # surfaced below
            outcome["import"] = exc
        finally:
            connections.close_all()

    def pay_the_other_debt():
        try:
            assert written.wait(timeout=20)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                payer.put(cursor.fetchone()[0])
            outcome["payment"] = payment_record(
                creditor=creditor,
                debt=Debt.objects.get(pk=sibling.pk),
                amount=Decimal("100.00"),
                currency="COP",
                paid_at=timezone.now(),
                method="pse",
                reference="API-SIBLING",
                source="api",
            )
        except Exception as exc:
            outcome["payment"] = exc
        finally:
            connections.close_all()

    # When both run at once
    caplog.set_level(logging.WARNING, logger="core.transactions")
    threads = [threading.Thread(target=import_file), threading.Thread(target=pay_the_other_debt)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then the file completed the agreement (settling the other debt), and the payment, which
    # queued behind the file instead of deadlocking with it, found that debt closed
    assert "import" not in outcome, outcome
    assert outcome["batch"].status == ImportBatch.Status.COMPLETED
    assert outcome["batch"].created_count == 1
    assert isinstance(outcome["payment"], ApplicationError), outcome["payment"]
    assert "lost to a concurrent one" not in caplog.text  # no deadlock to retry
    agreement.refresh_from_db()
    sibling.refresh_from_db()
    named.refresh_from_db()
    assert agreement.status == AgreementStatus.COMPLETED
    assert (named.stage, named.balance) == (Stage.PAID, Decimal("0.00"))
    assert (sibling.stage, sibling.balance) == (Stage.SETTLED, Decimal("0.00"))
    assert list(Payment.objects.values_list("reference", flat=True)) == ["FILE-1"]
