"""Paying: sandbox checkout, signed webhooks (bad signature, replay), Stripe adapter."""

import hashlib
import hmac
import json
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from agreements.models import PaymentAgreement
from messaging.models import ContactAction
from portal.models import PaymentIntent, WebhookEvent
from portal.payments import sandbox
from portfolio.models import Payment, PaymentReference
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db


def _start(client, debt, amount="100000.00", method="card"):
    response = client.post(
        reverse("portal:pay", args=[debt.pk]), {"amount": amount, "method": method}
    )
    assert response.status_code == 302, response.content
    return PaymentIntent.objects.get(), response.url


def test_partial_card_payment_in_the_sandbox_lands_once(portal_client, debt):
    intent, url = _start(portal_client, debt)
    assert url == reverse("portal:sandbox-checkout", args=[intent.provider_reference])
    page = portal_client.get(url).content.decode()
    assert "100,000.00" in page
    response = portal_client.post(url, {"outcome": "approved"})
    assert response.url == reverse("portal:intent", args=[intent.provider_reference])
    debt.refresh_from_db()
    intent.refresh_from_db()
    assert intent.status == "approved" and debt.balance == Decimal("1070000.00")
    payment = Payment.objects.get()
    assert payment.source == "portal" and payment.method == "card"
    assert payment.reference == f"sandbox:{intent.provider_reference}"
    thanks = portal_client.get(response.url).content.decode()
    assert "Thank you for your payment" in thanks
    # The thank-you message is planned for partial payments too.
    assert ContactAction.objects.filter(debt=debt, template_code="payment_thanks").exists()
    # Pressing approve again records nothing new.
    portal_client.post(url, {"outcome": "approved"})
    assert Payment.objects.count() == 1


def test_declined_and_pending_record_nothing(portal_client, debt):
    intent, url = _start(portal_client, debt, method="card")
    portal_client.post(url, {"outcome": "pending"})
    intent.refresh_from_db()
    assert intent.status == "pending" and not Payment.objects.exists()
    assert (
        "being processed"
        in portal_client.get(
            reverse("portal:intent", args=[intent.provider_reference])
        ).content.decode()
    )
    portal_client.post(url, {"outcome": "declined"})
    intent.refresh_from_db()
    assert intent.status == "declined" and not Payment.objects.exists()


def test_no_payment_provider_means_no_checkout_not_a_crash(portal_client, debt, settings):
    settings.CARTERA_PORTAL_PAYMENT_PROVIDER = ""
    response = portal_client.post(
        reverse("portal:pay", args=[debt.pk]), {"amount": "100.00", "method": "card"}
    )
    assert response.status_code == 200
    assert "Online payments are not available right now." in response.content.decode()
    assert not PaymentIntent.objects.exists()


def test_amount_above_balance_or_zero_is_refused(portal_client, debt):
    for amount in ("0", "-5", "99999999.00", "abc"):
        response = portal_client.post(
            reverse("portal:pay", args=[debt.pk]), {"amount": amount, "method": "card"}
        )
        assert response.status_code == 200, amount
    assert not PaymentIntent.objects.exists()


def _post_webhook(client, body: bytes, signature: str):
    return client.post(
        reverse("portal:webhook", args=["sandbox"]),
        data=body,
        content_type="application/json",
        headers={"X-Sandbox-Signature": signature},
    )


def test_webhook_bad_signature_is_400_and_records_nothing(client, portal_client, debt):
    intent, _url = _start(portal_client, debt)
    body = sandbox.event_body(
        provider_reference=intent.provider_reference, outcome="approved",
        amount_cents=10000000, currency="COP",
    )  # fmt: skip
    assert _post_webhook(client, body, "t=1,v1=deadbeef").status_code == 400
    assert _post_webhook(client, body, "").status_code == 400
    tampered = body.replace(b"10000000", b"99999999")
    assert _post_webhook(client, tampered, sandbox.sign(body)).status_code == 400
    old = sandbox.sign(body, timestamp=int(time.time()) - 3600)
    assert _post_webhook(client, body, old).status_code == 400
    assert not Payment.objects.exists() and not WebhookEvent.objects.exists()


def test_webhook_replay_records_nothing_new(client, portal_client, debt):
    intent, _url = _start(portal_client, debt)
    body = sandbox.event_body(
        provider_reference=intent.provider_reference, outcome="approved",
        amount_cents=10000000, currency="COP",
    )  # fmt: skip
    first = _post_webhook(client, body, sandbox.sign(body))
    assert first.status_code == 200 and first.content == b"recorded"
    again = _post_webhook(client, body, sandbox.sign(body))
    assert again.status_code == 200 and again.content == b"replay"
    # A new event id for the same checkout does not pay twice either.
    other = sandbox.event_body(
        provider_reference=intent.provider_reference, outcome="approved",
        amount_cents=10000000, currency="COP",
    )  # fmt: skip
    assert _post_webhook(client, other, sandbox.sign(other)).content == b"final"
    assert Payment.objects.count() == 1
    debt.refresh_from_db()
    assert debt.balance == Decimal("1070000.00")


def test_webhook_amount_mismatch_is_refused_and_records_nothing(client, portal_client, debt):
    intent, _url = _start(portal_client, debt)
    body = sandbox.event_body(
        provider_reference=intent.provider_reference, outcome="approved",
        amount_cents=1, currency="COP",
    )  # fmt: skip
    response = _post_webhook(client, body, sandbox.sign(body))
    assert response.status_code == 422
    assert b"0.01 COP" in response.content and b"100000.00 COP" in response.content
    intent.refresh_from_db()
    assert intent.status == "created"
    assert not Payment.objects.exists() and not WebhookEvent.objects.exists()


def test_webhook_in_another_currency_is_refused_and_records_nothing(client, portal_client, debtor):
    # Given a checkout of 500.00 MXN
    debt = DebtFactory(creditor=debtor.creditor, debtor=debtor, currency="MXN")
    intent, _url = _start(portal_client, debt, amount="500.00")
    assert intent.currency == "MXN"
    # When the provider's signed event says 500.00 USD
    body = sandbox.event_body(
        provider_reference=intent.provider_reference, outcome="approved",
        amount_cents=50000, currency="USD",
    )  # fmt: skip
    response = _post_webhook(client, body, sandbox.sign(body))
    # Then it is refused, and nothing of it is kept: no payment, no event, the debt as it was
    assert response.status_code == 422 and b"USD" in response.content
    assert not Payment.objects.exists() and not WebhookEvent.objects.exists()
    intent.refresh_from_db()
    debt.refresh_from_db()
    assert intent.status == "created" and debt.balance == Decimal("1170000.00")
    # The same event in the checkout's currency is recorded
    body = sandbox.event_body(
        provider_reference=intent.provider_reference, outcome="approved",
        amount_cents=50000, currency="MXN",
    )  # fmt: skip
    assert _post_webhook(client, body, sandbox.sign(body)).content == b"recorded"
    assert Payment.objects.get().currency == "MXN"


@pytest.mark.parametrize(
    "event",
    [
        {"id": "evt_1", "type": "payment.approved", "reference": "sbx_x", "currency": "COP"},
        {"id": "evt_1", "type": "payment.approved", "reference": "sbx_x", "amount_cents": "1",
         "currency": "COP"},
        {"id": "evt_1", "type": "payment.approved", "reference": "sbx_x", "amount_cents": 1},
        {"id": "evt_1", "type": "payment.approved", "reference": 7, "amount_cents": 1,
         "currency": "COP"},
        {"type": "payment.approved", "reference": "sbx_x", "amount_cents": 1, "currency": "COP"},
        ["payment.approved"],
    ],
    ids=["no-amount", "amount-text", "no-currency", "reference-number", "no-id", "array"],
)  # fmt: skip
def test_signed_sandbox_event_of_the_wrong_shape_is_400(client, portal_client, debt, event):
    intent, _url = _start(portal_client, debt)
    if isinstance(event, dict) and event.get("reference") == "sbx_x":
        event["reference"] = intent.provider_reference
    body = json.dumps(event).encode()
    response = _post_webhook(client, body, sandbox.sign(body))
    assert response.status_code == 400 and response.content.startswith(b"malformed event")
    assert not Payment.objects.exists() and not WebhookEvent.objects.exists()


def test_the_sandbox_is_unreachable_when_it_is_not_the_provider(
    client, portal_client, debt, settings
):
    # Given a sandbox checkout started while the sandbox was the provider
    intent, url = _start(portal_client, debt)
    body = sandbox.event_body(
        provider_reference=intent.provider_reference, outcome="approved",
        amount_cents=10000000, currency="COP",
    )  # fmt: skip
    # When the server is configured with a real provider
    settings.CARTERA_PORTAL_PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    # Then neither the sandbox's checkout page nor its webhook exists
    assert portal_client.get(url).status_code == 404
    assert portal_client.post(url, {"outcome": "approved"}).status_code == 404
    assert _post_webhook(client, body, sandbox.sign(body)).status_code == 404
    assert not Payment.objects.exists() and not WebhookEvent.objects.exists()
    intent.refresh_from_db()
    assert intent.status == "created"


def test_full_payment_marks_the_debt_paid(portal_client, debt):
    intent, url = _start(portal_client, debt, amount="1170000.00")
    portal_client.post(url, {"outcome": "approved"})
    debt.refresh_from_db()
    assert debt.stage == "paid" and debt.balance == 0


def test_payment_on_an_agreement_pays_the_instalment(portal_client, debt):
    response = portal_client.post(
        reverse("portal:plan", args=[debt.pk]),
        {"option": "3", "down_payment": "234000.00", "accept": "on", "confirm": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement = PaymentAgreement.objects.get()
    intent = PaymentIntent.objects.get()
    assert intent.amount == Decimal("234000.00") and intent.agreement == agreement
    portal_client.post(response.url, {"outcome": "approved"})
    first = agreement.instalments.order_by("number").first()
    first.refresh_from_db()
    assert first.status == "paid"


def _stripe_signature(body: bytes, secret: str) -> str:
    ts = int(time.time())
    sig = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={sig}"


def test_stripe_checkout_and_signed_webhook(client, portal_client, debt, settings):
    settings.CARTERA_PORTAL_PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    session = mock.Mock(id="cs_test_123", url="https://checkout.stripe.com/c/pay/cs_test_123")
    with mock.patch("stripe.StripeClient") as client_cls:
        client_cls.return_value.v1.checkout.sessions.create.return_value = session
        response = portal_client.post(
            reverse("portal:pay", args=[debt.pk]), {"amount": "50000.00", "method": "card"}
        )
    assert response.url == session.url
    params = client_cls.return_value.v1.checkout.sessions.create.call_args.kwargs["params"]
    assert params["line_items"][0]["price_data"]["unit_amount"] == 5000000
    assert "Ana" not in json.dumps(params)
    assert params["success_url"].endswith("/portal/payments/{CHECKOUT_SESSION_ID}/")
    event = {
        "id": "evt_1",
        "object": "event",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": "cs_test_123",
                "object": "checkout.session",
                "payment_status": "paid",
                "amount_total": 5000000,
                "currency": "cop",
            }
        },
    }
    body = json.dumps(event).encode()
    url = reverse("portal:webhook", args=["stripe"])

    def post(secret):
        signature = _stripe_signature(body, secret)
        return client.post(
            url, body, content_type="application/json", headers={"Stripe-Signature": signature}
        )

    bad = post("whsec_wrong")
    assert bad.status_code == 400 and not Payment.objects.exists()
    good = post("whsec_test")
    assert good.status_code == 200 and good.content == b"recorded"
    replay = post("whsec_test")
    assert replay.content == b"replay"
    assert Payment.objects.get().amount == Decimal("50000.00")


def test_bank_reference_is_shown_and_stable(portal_client, debt):
    page = portal_client.get(reverse("portal:reference", args=[debt.pk])).content.decode()
    reference = PaymentReference.objects.get(debt=debt).reference
    assert reference in page and reference.startswith("CT")
    portal_client.get(reverse("portal:reference", args=[debt.pk]))
    assert PaymentReference.objects.count() == 1


def test_stripe_async_bank_payment_pending_then_failed(client, debt, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    intent = PaymentIntent.objects.create(
        debt=debt, provider="stripe", provider_reference="cs_async", amount=Decimal("10.00"),
        currency="COP", method="bank_transfer",
    )  # fmt: skip
    url = reverse("portal:webhook", args=["stripe"])

    def send(event_id, kind, status):
        session = {"id": "cs_async", "object": "checkout.session", "payment_status": status,
                   "amount_total": 1000, "currency": "cop"}  # fmt: skip
        body = json.dumps(
            {"id": event_id, "object": "event", "type": kind, "data": {"object": session}}
        ).encode()
        signature = _stripe_signature(body, "whsec_test")
        return client.post(
            url, body, content_type="application/json", headers={"Stripe-Signature": signature}
        )

    assert send("evt_a", "checkout.session.completed", "unpaid").content == b"pending"
    assert send("evt_b", "checkout.session.async_payment_failed", "unpaid").content == b"declined"
    intent.refresh_from_db()
    assert intent.status == "declined" and not Payment.objects.exists()


def _stripe_post(client, event, secret="whsec_test"):
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    return client.post(
        reverse("portal:webhook", args=["stripe"]),
        body,
        content_type="application/json",
        headers={"Stripe-Signature": _stripe_signature(body, secret)},
    )


def _stripe_session_event(**session):
    return {
        "id": "evt_shape",
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_shape", "object": "checkout.session", **session}},
    }


@pytest.mark.parametrize(
    "event",
    [
        {"id": "evt_1", "object": "event", "type": "checkout.session.completed", "data": {}},
        {"id": "evt_1", "object": "event", "type": "checkout.session.completed", "data": []},
        {"id": "evt_1", "object": "event", "type": "checkout.session.completed"},
        {"object": "event", "type": "checkout.session.completed", "data": {"object": {}}},
        {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {}}},
        _stripe_session_event(payment_status="paid", currency="cop"),
        _stripe_session_event(payment_status="paid", amount_total="1000", currency="cop"),
        _stripe_session_event(payment_status="paid", amount_total=1000),
        ["evt_1"],
        b"not json at all",
    ],
    ids=[
        "empty-data", "data-array", "no-data", "no-id", "session-without-id", "no-amount",
        "amount-text", "no-currency", "array", "not-json",
    ],
)  # fmt: skip
def test_signed_stripe_event_of_the_wrong_shape_is_400(client, debt, settings, event):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    PaymentIntent.objects.create(
        debt=debt, provider="stripe", provider_reference="cs_shape", amount=Decimal("10.00"),
        currency="COP",
    )  # fmt: skip
    response = _stripe_post(client, event)
    assert response.status_code == 400 and response.content.startswith(b"malformed event")
    assert not Payment.objects.exists() and not WebhookEvent.objects.exists()


def test_stripe_event_of_another_kind_is_stored_once_and_changes_nothing(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    event = {"id": "evt_pi", "object": "event", "type": "payment_intent.created",
             "data": {"object": {"id": "pi_1", "object": "payment_intent"}}}  # fmt: skip
    assert _stripe_post(client, event).content == b"unknown"
    assert _stripe_post(client, event).content == b"replay"


def test_stripe_event_in_another_currency_is_refused(client, debt, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    intent = PaymentIntent.objects.create(
        debt=debt, provider="stripe", provider_reference="cs_shape", amount=Decimal("10.00"),
        currency="COP",
    )  # fmt: skip
    usd = _stripe_post(client, _stripe_session_event(
        payment_status="paid", amount_total=1000, currency="usd"
    ))  # fmt: skip
    assert usd.status_code == 422 and b"USD" in usd.content
    assert not Payment.objects.exists() and not WebhookEvent.objects.exists()
    cop = _stripe_post(client, _stripe_session_event(
        payment_status="paid", amount_total=1000, currency="cop"
    ))  # fmt: skip
    assert cop.content == b"recorded"
    intent.refresh_from_db()
    assert intent.status == "approved" and intent.payment.amount == Decimal("10.00")
