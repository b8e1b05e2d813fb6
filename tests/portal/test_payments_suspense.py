"""A confirmed portal payment its debt cannot take lands in suspense, never 'refund by hand'."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.models import LedgerEntry, SuspenseItem
from portal.models import PaymentIntent
from portal.payments import sandbox
from portfolio.models import Debt, Payment, Stage

pytestmark = pytest.mark.django_db


def _start(client, debt, amount="100000.00"):
    response = client.post(
        reverse("portal:pay", args=[debt.pk]), {"amount": amount, "method": "card"}
    )
    assert response.status_code == 302, response.content
    return PaymentIntent.objects.get()


def _approve(client, intent):
    body = sandbox.event_body(
        provider_reference=intent.provider_reference, outcome="approved",
        amount_cents=int(intent.amount * 100), currency=intent.currency,
    )  # fmt: skip
    return client.post(
        reverse("portal:webhook", args=["sandbox"]),
        data=body,
        content_type="application/json",
        headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)},
    )


def test_a_debt_closed_before_the_confirmation_sends_the_whole_amount_to_suspense(
    client, portal_client, debt
):
    # Given a checkout of 100,000 and the debt paid off by another channel meanwhile
    intent = _start(portal_client, debt)
    Debt.objects.filter(pk=debt.pk).update(
        stage=Stage.PAID, principal=0, interest=0, fees=0, balance=0
    )

    # When the provider confirms the payment
    response = _approve(client, intent)

    # Then no payment is made: the money is held for the creditor, naming debt and debtor
    assert response.content == b"suspense"
    assert not Payment.objects.exists()
    item = SuspenseItem.objects.get()
    assert (item.reason, item.amount, item.currency, item.source) == (
        "debt_closed",
        Decimal("100000.00"),
        "COP",
        "portal",
    )
    assert (item.debt, item.debtor, item.creditor) == (debt, debt.debtor, debt.creditor)
    assert item.reference == f"sandbox:{intent.provider_reference}"
    # And the checkout says so: approved (the money arrived), the item named in its detail
    intent.refresh_from_db()
    assert (intent.status, intent.payment) == (PaymentIntent.Status.APPROVED, None)
    assert f"item {item.pk}" in intent.detail
    page = portal_client.get(reverse("portal:intent", args=[intent.provider_reference]))
    assert "We hold the money safely" in page.content.decode()


def test_an_amount_above_the_balance_pays_the_balance_and_holds_the_excess(
    client, portal_client, debt
):
    # Given a checkout of 100,000 and only 40,000 left owing by the time it is confirmed
    intent = _start(portal_client, debt)
    Debt.objects.filter(pk=debt.pk).update(
        principal=Decimal("40000.00"), interest=0, fees=0, balance=Decimal("40000.00")
    )

    # When confirmed
    assert _approve(client, intent).content == b"recorded"

    # Then 40,000 pays the debt off and the 60,000 over waits in suspense
    payment = Payment.objects.get()
    assert (payment.amount, payment.source) == (Decimal("40000.00"), "portal")
    assert LedgerEntry.objects.get(payment=payment).amount == Decimal("-40000.00")
    debt.refresh_from_db()
    assert (debt.balance, debt.stage) == (Decimal("0.00"), Stage.PAID)
    item = SuspenseItem.objects.get()
    assert (item.reason, item.amount, item.debt) == ("overpayment", Decimal("60000.00"), debt)
    assert item.reference == payment.reference
    intent.refresh_from_db()
    assert (intent.status, intent.payment) == (PaymentIntent.Status.APPROVED, payment)
    assert f"item {item.pk}" in intent.detail
    page = portal_client.get(reverse("portal:intent", args=[intent.provider_reference]))
    assert "We hold the rest safely" in page.content.decode()


def test_a_replayed_confirmation_holds_and_pays_nothing_twice(client, portal_client, debt):
    # Given an overpaid checkout already confirmed
    intent = _start(portal_client, debt)
    Debt.objects.filter(pk=debt.pk).update(
        principal=Decimal("40000.00"), interest=0, fees=0, balance=Decimal("40000.00")
    )
    body = sandbox.event_body(
        provider_reference=intent.provider_reference, outcome="approved",
        amount_cents=10000000, currency="COP",
    )  # fmt: skip

    def send():
        return client.post(
            reverse("portal:webhook", args=["sandbox"]),
            data=body,
            content_type="application/json",
            headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)},
        )

    assert send().content == b"recorded"

    # When the provider delivers the same event again, and then another approval of it
    assert send().content == b"replay"
    assert _approve(client, intent).content == b"final"

    # Then one payment and one item: the replays recorded nothing
    assert (Payment.objects.count(), SuspenseItem.objects.count()) == (1, 1)
    assert SuspenseItem.objects.get().amount == Decimal("60000.00")
