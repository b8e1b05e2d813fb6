"""Concurrent payments on one debt (PostgreSQL, real threads): the portal's payment webhook and
the payments service take their row locks in one order (portfolio.services.locks), never lock
the creditor, and run a transaction PostgreSQL aborts as a deadlock victim again."""

import datetime
import logging
import queue
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.models import AgreementStatus, Instalment, PaymentAgreement
from agreements.services.lifecycle import agreement_create
from collections_app.services.payments import payment_record
from messaging.models import Message
from portal.models import PaymentIntent, WebhookEvent
from portal.payments import sandbox
from portal.services import payments as portal_payments
from portfolio.models import Debt, Payment, Stage
from tests.factories.messaging import make_message
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
)
from tests.factories.users import CollectorFactory
from tests.portfolio.test_payments_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12
PART = Decimal("100.00")


def _debt_with_agreement():
    """A 1,000.00 debt under an active agreement (down payment 100 + 4 weekly instalments)."""
    creditor = CreditorFactory(code="banco-andino")
    collector = CollectorFactory(username="gestor")
    debtor = DebtorFactory(creditor=creditor)
    ContactPointFactory(debtor=debtor, channel="sms", value="+573001112233")
    debt = DebtFactory(
        creditor=creditor,
        debtor=debtor,
        assigned_to=collector,
        stage=Stage.FIRM_NOTICE,
        principal=Decimal("1000.00"),
        interest=Decimal("0"),
        fees=Decimal("0"),
    )
    today = timezone.localdate()
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=today,
        kind="instalment_plan",
        instalment_count=4,
        frequency="weekly",
        first_due_date=today + datetime.timedelta(days=3),
        down_payment=PART,
        channel="phone",
    )
    assert agreement.status == AgreementStatus.ACTIVE
    return debt, agreement


def _intent(debt, reference):
    return PaymentIntent.objects.create(
        debt=debt,
        provider="sandbox",
        provider_reference=reference,
        amount=PART,
        currency=debt.currency,
    )


def _approve(intent):
    """What the payer's approval sends: a signed sandbox webhook, through the real endpoint."""
    body = sandbox.event_body(
        provider_reference=intent.provider_reference,
        outcome="approved",
        amount_cents=int(intent.amount * 100),
        currency=intent.currency,
    )
    response = Client().post(
        reverse("portal:webhook", args=["sandbox"]),
        data=body,
        content_type="application/json",
        headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)},
    )
    return response.status_code, response.content.decode()


def _record(debt, reference):
    return payment_record(
        creditor=debt.creditor,
        debt=Debt.objects.get(pk=debt.pk),
        amount=PART,
        currency=debt.currency,
        paid_at=timezone.now(),
        method="pse",
        reference=reference,
        source="api",
    )


def _assert_paid_off(debt, agreement):
    debt.refresh_from_db()
    agreement.refresh_from_db()
    assert (debt.balance, debt.stage) == (Decimal("0.00"), Stage.PAID)
    assert Payment.objects.filter(debt=debt).count() == 10
    assert sum(Payment.objects.values_list("amount", flat=True)) == Decimal("1000.00")
    assert agreement.status == AgreementStatus.COMPLETED
    assert agreement.paid_amount == Decimal("1000.00")
    assert set(Instalment.objects.filter(agreement=agreement).values_list("status", flat=True)) == {
        Instalment.Status.PAID
    }


def test_ten_webhook_approvals_on_one_debt_all_land_once():
    # Given ten checkouts of 100.00 on a 1,000.00 debt under an agreement
    debt, agreement = _debt_with_agreement()
    intents = [_intent(debt, f"sbx_race_{i}") for i in range(10)]

    # When the ten approvals reach the webhook at the same moment
    results = run_at_once(10, lambda i: _approve(intents[i]))

    # Then every one is recorded (no 500, no deadlock), and the books add up exactly
    assert results == [(200, "recorded")] * 10, results
    _assert_paid_off(debt, agreement)


def test_webhooks_and_the_payments_service_racing_on_one_debt_add_up(caplog):
    # Given a debt under an agreement, five open checkouts and payments arriving by the API
    debt, agreement = _debt_with_agreement()
    intents = [_intent(debt, f"sbx_mix_{i}") for i in range(5)]

    def work(i):
        if i < 4:
            return _approve(intents[i])  # four checkouts approved
        if i < 6:
            return _approve(intents[4])  # one checkout approved twice (two event ids)
        if i < 10:
            return _record(debt, f"API-{i}")  # four payments by the service
        return _record(debt, "API-TWICE")  # one payment delivered twice

    # When all twelve writers run at once
    results = run_at_once(THREADS, work)

    # Then none failed, the replays were no-ops, and exactly ten payments of 100.00 landed
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results[:6]) == [(200, "final")] + [(200, "recorded")] * 5, results[:6]
    assert [created for _payment, created in results[6:10]] == [True] * 4
    assert sorted(created for _payment, created in results[10:]) == [False, True]
    assert len({payment.pk for payment, _created in results[10:]}) == 1
    _assert_paid_off(debt, agreement)
    assert WebhookEvent.objects.count() == 6


def test_a_payment_in_progress_holds_up_no_other_writer_of_its_creditor(monkeypatch):
    # Given a portal payment that has written its payment and still holds its locks
    debt, _agreement = _debt_with_agreement()
    other = DebtFactory(creditor=debt.creditor, principal=Decimal("500.00"), interest=0, fees=0)
    intent = _intent(debt, "sbx_hold")
    holding, release = threading.Event(), threading.Event()
    original = portal_payments.thanks_plan

    def thanks_then_wait(*, intent):
        holding.set()
        release.wait(timeout=20)
        return original(intent=intent)

    monkeypatch.setattr(portal_payments, "thanks_plan", thanks_then_wait)
    webhook = []

    def approve():
        try:
            webhook.append(_approve(intent))
        finally:
            connections.close_all()

    worker = threading.Thread(target=approve)
    worker.start()
    try:
        assert holding.wait(timeout=20), "the webhook did not reach its thank-you step"
        # When, meanwhile, another debt of the creditor is paid and the planner writes a
        # message about the debt being paid (both name the creditor and the debt in foreign
        # keys, which PostgreSQL checks with a KEY SHARE lock at commit)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            payment, created = _record(other, "API-OTHER")
            message = make_message(debt=debt, channel="sms", to="+573001112233")
        # Then both commit at once instead of queuing behind (or deadlocking with) the payment
        assert created and Payment.objects.filter(pk=payment.pk).exists()
        assert Message.objects.filter(pk=message.pk).exists()
    finally:
        release.set()
        worker.join(timeout=30)
    assert webhook == [(200, "recorded")]
    assert Debt.objects.get(pk=debt.pk).balance == Decimal("900.00")


def _wait_until_blocked(pid: int, timeout: float = 10) -> None:
    """Wait until backend `pid` waits for a lock."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return
            time.sleep(0.02)
    raise AssertionError(f"backend {pid} never waited for a lock")


def test_a_payment_that_loses_a_deadlock_is_run_again(caplog):
    # Given a debt under an agreement, and another writer that takes the agreement's lock and
    # then the debt's: the opposite of the order payments take them in
    debt, agreement = _debt_with_agreement()
    payer = queue.Queue()
    held = threading.Event()
    errors = []

    def other_writer():
        try:
            with transaction.atomic():
                # Its own deadlock check waits long, so the payment's (after 1 s) always runs
                # first, even on a loaded machine where both timers could fire close together.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL deadlock_timeout = '20s'")
                PaymentAgreement.objects.select_for_update().get(pk=agreement.pk)
                held.set()
                # once the payment holds the debt and waits for the agreement...
                _wait_until_blocked(payer.get(timeout=10))
                Debt.objects.select_for_update().get(pk=debt.pk)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    def pay(_i):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            payer.put(cursor.fetchone()[0])
        assert held.wait(timeout=10)
        return _record(debt, "API-DEADLOCK")

    # When the payment runs into it: PostgreSQL aborts the payment's transaction (it waited
    # first, so its deadlock check runs first)
    caplog.set_level(logging.WARNING, logger="core.transactions")
    writer = threading.Thread(target=other_writer)
    writer.start()
    (result,) = run_at_once(1, pay)
    writer.join(timeout=30)

    # Then the payment ran again once the other writer was done, and was recorded once
    assert not errors, errors
    assert not isinstance(result, Exception), result
    payment, created = result
    assert created and payment.amount == PART
    assert "lost to a concurrent one" in caplog.text
    assert Payment.objects.count() == 1
    assert Debt.objects.get(pk=debt.pk).balance == Decimal("900.00")
    agreement.refresh_from_db()
    assert agreement.paid_amount == PART
