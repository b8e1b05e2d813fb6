"""Local payment rails: each country sees its own (PSE and Bre-B in CO, SPEI and OXXO in MX),
each rail's checkout and instructions, the sandbox's simulate pages, and the rails' signed
webhooks: approved, pending, declined, expired, and a provider's reversal of a paid payment,
which goes to the ledger's reversal path once."""

import datetime
import re
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError
from ledger.models import PaymentReversal
from portal.models import PaymentIntent, WebhookEvent
from portal.payments import breb, oxxo, sandbox, spei
from portal.payments.rails import luhn_digit
from portal.services.payments import intent_create
from portfolio.models import Payment
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
)
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db

CURRENCY = {"CO": "COP", "MX": "MXN", "US": "USD"}
ZONE = {"CO": "America/Bogota", "MX": "America/Mexico_City", "US": "America/New_York"}
REFUSED = "That way to pay is not offered in your country"


def _signed_in(country, name="Acreedor Uno"):
    creditor = CreditorFactory(code=f"r-{country}", name=name, country=country)
    debtor = DebtorFactory(
        creditor=creditor, country=country, language="en", timezone=ZONE[country],
        document_number=f"55{len(country)}98765",
    )  # fmt: skip
    ContactPointFactory(debtor=debtor, channel="sms", value="+573001110099")
    debt = DebtFactory(creditor=creditor, debtor=debtor, currency=CURRENCY[country],
                       stage="firm_notice")  # fmt: skip
    client = Client()
    sign_in(client, debtor)
    return client, debt


def _start(client, debt, method, amount="500.00"):
    response = client.post(
        reverse("portal:pay", args=[debt.pk]), {"amount": amount, "method": method}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return PaymentIntent.objects.get(method=method), response.url


def _simulate(client, intent, outcome):
    return client.post(
        reverse("portal:rail-simulate", args=[intent.provider_reference]), {"outcome": outcome}
    )


def _webhook(client, provider, body, signature=None):
    return client.post(
        reverse("portal:webhook", args=[provider]),
        data=body,
        content_type="application/json",
        headers={"X-Sandbox-Signature": signature or sandbox.sign(body)},
    )


def _event(intent, outcome, *, cents=None, currency=None, occurred_at=None):
    return sandbox.event_body(
        provider_reference=intent.provider_reference,
        outcome=outcome,
        amount_cents=int(intent.amount * 100) if cents is None else cents,
        currency=currency or intent.currency,
        occurred_at=occurred_at,
    )


def _page(client, intent) -> str:
    return client.get(reverse("portal:intent", args=[intent.provider_reference])).content.decode()


def _radio_values(page: str) -> set[str]:
    return set(re.findall(r'name="method" value="([a-z_]+)"', page))


# -- Each country sees only its own rails, and cannot post another's --------------------------


@pytest.mark.parametrize(
    "country,offered",
    [("CO", {"card", "pse", "breb"}), ("MX", {"card", "spei", "oxxo"}),
     ("US", {"card", "bank_transfer"})],
)  # fmt: skip
def test_the_pay_form_offers_only_the_debtors_countrys_rails(country, offered):
    client, debt = _signed_in(country)

    page = client.get(reverse("portal:pay", args=[debt.pk])).content.decode()

    assert _radio_values(page) == offered


@pytest.mark.parametrize(
    "country,foreign", [("CO", "spei"), ("CO", "oxxo"), ("MX", "pse"), ("MX", "breb"),
                        ("US", "pse"), ("CO", "bank_transfer")],
)  # fmt: skip
def test_posting_another_countrys_rail_is_a_400_and_starts_nothing(country, foreign):
    client, debt = _signed_in(country)

    response = client.post(
        reverse("portal:pay", args=[debt.pk]), {"amount": "100.00", "method": foreign}
    )

    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not PaymentIntent.objects.exists()


def test_the_service_refuses_another_countrys_rail_too():
    _client, debt = _signed_in("CO")
    with pytest.raises(ApplicationError) as refused:
        intent_create(debt=debt, amount=Decimal("100.00"), method="spei",
                      success_url="/", cancel_url="/")  # fmt: skip
    assert refused.value.field == "method" and REFUSED in refused.value.message
    assert not PaymentIntent.objects.exists()


def test_rails_are_not_offered_nor_served_where_the_sandbox_is_not_allowed(settings):
    # Given a PSE checkout started while the sandbox was allowed
    client, debt = _signed_in("CO")
    intent, _url = _start(client, debt, "pse")
    body = _event(intent, "approved")
    # When the server runs with a real card provider (production-like)
    settings.CARTERA_PORTAL_PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    # Then the sandboxed rails are neither offered nor reachable
    page = client.get(reverse("portal:pay", args=[debt.pk])).content.decode()
    assert _radio_values(page) == {"card"}
    assert (
        client.get(reverse("portal:pse-banks", args=[intent.provider_reference])).status_code == 404
    )
    assert _simulate(client, intent, "approved").status_code == 404
    assert _webhook(client, "pse", body).status_code == 404
    assert not Payment.objects.exists()


# -- PSE -----------------------------------------------------------------------------------------


def test_pse_bank_choice_then_the_bank_then_pending_then_approved():
    client, debt = _signed_in("CO")
    # Given the debtor chose PSE: PSE's page lists the banks and asks who pays
    intent, url = _start(client, debt, "pse", amount="250000.00")
    assert url == reverse("portal:pse-banks", args=[intent.provider_reference])
    page = client.get(url).content.decode()
    assert "Bancolombia" in page and "Nequi" in page and "Natural person" in page
    # A document that is not one is refused on the page
    bad = client.post(url, {"bank": "1007", "person_type": "natural", "document_type": "CC",
                            "document_number": "12"})  # fmt: skip
    assert bad.status_code == 200 and "digits only" in bad.content.decode()
    # When they choose their bank, they go to the bank's page with PSE's tracking code
    chosen = {"bank": "1007", "person_type": "natural", "document_type": "CC",
              "document_number": "1.020.304.050"}  # fmt: skip
    response = client.post(url, chosen)
    assert response.status_code == 302
    assert response.url == reverse("portal:pse-bank", args=[intent.provider_reference])
    intent.refresh_from_db()
    assert intent.instructions["bank_name"] == "Bancolombia"
    assert re.fullmatch(r"\d{10}", intent.instructions["cus"])
    assert "1020304050" not in str(intent.instructions)  # the document went to PSE, not here
    bank = client.get(response.url).content.decode()
    assert intent.instructions["cus"] in bank and "Approve the payment" in bank
    # And the bank answers "pending" first, as PSE often does
    assert _simulate(client, intent, "pending").status_code == 302
    intent.refresh_from_db()
    assert intent.status == "pending" and not Payment.objects.exists()
    assert "being processed" in _page(client, intent)
    # Then the confirmation arrives: the payment is recorded as PSE
    _simulate(client, intent, "approved")
    intent.refresh_from_db()
    payment = Payment.objects.get()
    assert intent.status == "approved" and intent.payment == payment
    assert payment.method == "pse" and payment.amount == Decimal("250000.00")
    assert payment.reference == f"pse:{intent.provider_reference}"
    debt.refresh_from_db()
    assert debt.balance == Decimal("920000.00")
    # Once paid, the bank's page is no longer a way to answer
    assert client.get(response.url).status_code == 302


def test_pse_declined_records_nothing():
    client, debt = _signed_in("CO")
    intent, url = _start(client, debt, "pse")
    client.post(url, {"bank": "1051", "person_type": "juridica", "document_type": "NIT",
                      "document_number": "900123456"})  # fmt: skip
    _simulate(client, intent, "declined")
    intent.refresh_from_db()
    assert intent.status == "declined" and not Payment.objects.exists()
    assert "declined" in _page(client, intent)


# -- SPEI ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "clabe",
    ["002010077777777771", "032180000118359719"],  # Banxico's and a published example
)
def test_clabe_check_digit_weights_3_7_1(clabe):
    assert spei.clabe_check_digit(clabe[:17]) == clabe[17]
    assert spei.clabe_is_valid(clabe)
    wrong = clabe[:17] + str((int(clabe[17]) + 1) % 10)
    assert not spei.clabe_is_valid(wrong)
    assert not spei.clabe_is_valid(clabe[:17]) and not spei.clabe_is_valid("x" * 18)


def test_spei_instructions_stay_until_the_transfer_arrives():
    client, debt = _signed_in("MX", name="Financiera del Norte")
    before = timezone.now()
    intent, url = _start(client, debt, "spei", amount="1500.00")
    assert url == reverse("portal:intent", args=[intent.provider_reference])
    ins = intent.instructions
    # An 18-digit CLABE of the sandbox's bank, valid, for this payment; a numeric reference
    assert spei.clabe_is_valid(ins["clabe"]) and ins["clabe"].startswith("999180")
    assert re.fullmatch(r"\d{7}", ins["reference"])
    assert ins["beneficiary"] == "Financiera del Norte" and ins["amount"] == "1500.00"
    assert before + spei.TTL <= intent.expires_at <= timezone.now() + spei.TTL
    page = _page(client, intent)
    for text in (ins["clabe"], ins["reference"], "Financiera del Norte", "MX$1,500.00",
                 "Transfer before", debt.debt_ref):  # fmt: skip
        assert text in page, text
    # The debtor can come back to it from the debt
    debt_page = client.get(reverse("portal:debt", args=[debt.pk])).content.decode()
    assert reverse("portal:intent", args=[intent.provider_reference]) in debt_page
    # Pending until the webhook says approved
    assert _simulate(client, intent, "approved").status_code == 302
    intent.refresh_from_db()
    assert intent.status == "approved" and Payment.objects.get().method == "spei"
    debt_page = client.get(reverse("portal:debt", args=[debt.pk])).content.decode()
    assert reverse("portal:intent", args=[intent.provider_reference]) not in debt_page


def test_each_spei_payment_has_its_own_clabe():
    client, debt = _signed_in("MX")
    first, _ = _start(client, debt, "spei", amount="10.00")
    PaymentIntent.objects.filter(pk=first.pk).update(method="card")  # let _start find the next
    second, _ = _start(client, debt, "spei", amount="10.00")
    assert first.instructions["clabe"] != second.instructions["clabe"]


def test_spei_instructions_expire():
    client, debt = _signed_in("MX")
    intent, _url = _start(client, debt, "spei")
    _simulate(client, intent, "expired")
    intent.refresh_from_db()
    assert intent.status == "declined" and intent.detail == "expired"
    page = _page(client, intent)
    assert "These payment instructions expired" in page and intent.instructions["clabe"] not in page


# -- OXXO ------------------------------------------------------------------------------------------


def test_oxxo_refuses_above_its_cash_limit_with_a_clear_message():
    client, debt = _signed_in("MX")

    response = client.post(
        reverse("portal:pay", args=[debt.pk]), {"amount": "10000.01", "method": "oxxo"}
    )

    assert response.status_code == 200
    assert "OXXO takes at most MX$10,000.00 per payment" in response.content.decode()
    assert not PaymentIntent.objects.exists()
    # The limit itself is allowed
    intent, _url = _start(client, debt, "oxxo", amount="10000.00")
    assert intent.amount == oxxo.MAX_AMOUNT


def test_oxxo_voucher_with_qr_pending_until_paid():
    client, debt = _signed_in("MX")
    before = timezone.now()
    intent, _url = _start(client, debt, "oxxo", amount="850.50")
    number = intent.instructions["reference"]
    assert re.fullmatch(r"93\d{12}", number) and luhn_digit(number[:-1]) == number[-1]
    assert intent.expires_at >= before + datetime.timedelta(days=3)
    page = _page(client, intent)
    assert intent.instructions["reference_display"] in page and "MX$850.50" in page
    assert '<svg role="img"' in page and "OXXO payment reference" in page
    assert "MXN 10,000" in page
    _simulate(client, intent, "approved")
    intent.refresh_from_db()
    assert intent.status == "approved" and Payment.objects.get().method == "oxxo"
    # Cash paid at the till is not charged back: the sandbox offers no reversal
    assert _simulate(client, intent, "reversed").status_code == 400
    assert not PaymentReversal.objects.exists()


# -- Bre-B -----------------------------------------------------------------------------------------


def test_breb_link_and_qr_carry_the_key_amount_and_reference():
    client, debt = _signed_in("CO", name="Banco Andino")
    intent, url = _start(client, debt, "breb", amount="123456.00")
    assert url == reverse("portal:intent", args=[intent.provider_reference])
    ins = intent.instructions
    assert ins["key"] == breb.SANDBOX_KEY and ins["amount"] == "123456.00"
    assert intent.expires_at is not None and intent.expires_at > timezone.now()
    # The QR's text is an EMVCo payload with the key, amount and reference, and a valid CRC
    payload = ins["qr"]
    assert breb.SANDBOX_KEY in payload and "5409123456.00" in payload
    assert ins["reference"] in payload and payload.endswith(breb.crc16(payload[:-4]))
    page = _page(client, intent)
    assert '<svg role="img"' in page and ins["key"] in page and ins["link"] in page
    assert "COP\u00a0123,456.00" in page  # the amount with its currency
    # The link opens the "bank app", which sends the payment
    app = client.get(ins["link"]).content.decode()
    assert "Send the payment" in app and ins["key"] in app
    assert _simulate(client, intent, "approved").status_code == 302
    intent.refresh_from_db()
    assert intent.status == "approved" and Payment.objects.get().method == "breb"


def test_an_expired_breb_request_cannot_be_paid_and_says_so():
    client, debt = _signed_in("CO")
    intent, _url = _start(client, debt, "breb")
    PaymentIntent.objects.filter(pk=intent.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    intent.refresh_from_db()
    assert _simulate(client, intent, "approved").status_code == 400
    assert "These payment instructions expired" in _page(client, intent)
    assert "Send the payment" not in client.get(intent.instructions["link"]).content.decode()
    assert not Payment.objects.exists()


# -- Webhooks: signature, replay, every outcome ----------------------------------------------------


@pytest.mark.parametrize("rail,country", [("pse", "CO"), ("breb", "CO"), ("spei", "MX"),
                                          ("oxxo", "MX")])  # fmt: skip
def test_rail_webhook_is_signed_and_replays_record_nothing(client, rail, country):
    portal, debt = _signed_in(country)
    intent, _url = _start(portal, debt, rail)
    body = _event(intent, "approved")
    # A bad, missing or stale signature is a 400 and keeps nothing
    assert _webhook(client, rail, body, "t=1,v1=deadbeef").status_code == 400
    stale = sandbox.sign(body, timestamp=int(time.time()) - 3600)
    assert _webhook(client, rail, body, stale).status_code == 400
    assert not WebhookEvent.objects.exists()
    # Another amount is refused for a human to look at
    wrong = _event(intent, "approved", cents=1)
    assert _webhook(client, rail, wrong).status_code == 422
    # The signed event records the payment once; its replay and a second approval nothing
    assert _webhook(client, rail, body).content == b"recorded"
    assert _webhook(client, rail, body).content == b"replay"
    assert _webhook(client, rail, _event(intent, "approved")).content == b"final"
    payment = Payment.objects.get()
    assert payment.method == rail and payment.amount == intent.amount
    # An event for the rail sent to another rail's endpoint finds no checkout there
    other = "spei" if rail != "spei" else "oxxo"
    assert _webhook(client, other, _event(intent, "approved")).content == b"unknown"


@pytest.mark.parametrize(
    "outcome,status,detail",
    [("pending", "pending", ""), ("declined", "declined", ""), ("expired", "declined", "expired")],
)
def test_rail_webhook_pending_declined_expired(client, outcome, status, detail):
    portal, debt = _signed_in("MX")
    intent, _url = _start(portal, debt, "spei")

    response = _webhook(client, "spei", _event(intent, outcome))

    assert response.status_code == 200 and response.content == outcome.encode()
    intent.refresh_from_db()
    assert intent.status == status and intent.detail == detail
    assert not Payment.objects.exists()


# -- Provider reversals go to the ledger's reversal path -------------------------------------------


def _paid(rail, country):
    portal, debt = _signed_in(country)
    intent, _url = _start(portal, debt, rail, amount="1000.00")
    assert _webhook(Client(), rail, _event(intent, "approved")).content == b"recorded"
    intent.refresh_from_db()
    return portal, debt, intent


@pytest.mark.parametrize(
    "rail,country,kind,reason",
    [("pse", "CO", "reversed", "provider_reversal"), ("spei", "MX", "returned",
     "provider_reversal"), ("breb", "CO", "returned", "provider_reversal"),
     ("oxxo", "MX", "chargeback", "chargeback")],
)  # fmt: skip
def test_a_provider_reversal_calls_the_reversal_service_once(client, rail, country, kind, reason):
    # Given an approved rail payment
    _portal, _debt, intent = _paid(rail, country)
    occurred = int(datetime.datetime(2026, 11, 30, 15, 0, tzinfo=datetime.UTC).timestamp())
    body = _event(intent, kind, occurred_at=occurred)
    reversal = mock.Mock(spec=PaymentReversal)
    with mock.patch(
        "portal.services.payments.payment_reverse", return_value=(reversal, True)
    ) as reverse_:
        # When the provider says it took the money back
        response = _webhook(client, rail, body)
        # Then the ledger's reversal path is called, with the event's date and id
        assert response.status_code == 200 and response.content == b"reversed"
        event_id = WebhookEvent.objects.get(kind=kind).event_id
        reverse_.assert_called_once_with(
            payment_id=intent.payment_id,
            reason=reason,
            note=f"{rail} {kind} {event_id}",
            source="provider",
            user=None,
            business_date=datetime.date(2026, 11, 30),
            provider_event_id=event_id,
        )
        intent.refresh_from_db()
        assert intent.status == "reversed"
        # And its replay, or the same reversal under another event id, calls nothing again
        assert _webhook(client, rail, body).content == b"replay"
        assert _webhook(client, rail, _event(intent, kind)).content == b"final"
        assert reverse_.call_count == 1


def test_a_chargeback_of_a_card_payment_reverses_it_in_the_ledger(client):
    # Given a card payment approved in the sandbox
    portal, debt = _signed_in("CO")
    intent, url = _start(portal, debt, "card", amount="1000.00")
    portal.post(url, {"outcome": "approved"})
    intent.refresh_from_db()
    payment = intent.payment
    # The paid payment's page offers the sandbox's chargeback
    assert "charges it back" in _page(portal, intent)
    # When the card holder charges it back
    assert _simulate(portal, intent, "chargeback").status_code == 302
    # Then the payment is reversed through the ledger, and the intent says so
    intent.refresh_from_db()
    payment.refresh_from_db()
    assert intent.status == "reversed" and payment.reversed_at is not None
    reversal = PaymentReversal.objects.get(payment=payment)
    assert reversal.reason == "chargeback" and reversal.source == "provider"
    assert reversal.provider_event_id == WebhookEvent.objects.get(kind="chargeback").event_id
    assert "This payment was reversed" in _page(portal, intent)
    # A second chargeback is not possible
    assert _simulate(portal, intent, "chargeback").status_code == 400
    assert PaymentReversal.objects.count() == 1


def test_a_reversal_of_an_unpaid_intent_reverses_nothing(client):
    portal, debt = _signed_in("MX")
    intent, _url = _start(portal, debt, "spei")
    with mock.patch("portal.services.payments.payment_reverse") as reverse_:
        assert _webhook(client, "spei", _event(intent, "returned")).content == b"ignored"
    reverse_.assert_not_called()
    intent.refresh_from_db()
    assert intent.status == "created"


def test_a_reversal_the_ledger_refuses_is_422_and_kept_for_retry(client):
    _portal, _debt, intent = _paid("spei", "MX")
    body = _event(intent, "returned")
    with mock.patch(
        "portal.services.payments.payment_reverse",
        side_effect=ApplicationError("This payment cannot be reversed."),
    ):
        response = _webhook(client, "spei", body)
    assert response.status_code == 422 and b"cannot be reversed" in response.content
    intent.refresh_from_db()
    assert intent.status == "approved"
    assert not WebhookEvent.objects.filter(kind="returned").exists()
    # The provider's retry, once the ledger takes it, reverses it
    assert _webhook(client, "spei", body).content == b"reversed"


def test_a_rail_takes_only_its_own_currency():
    # Given a Colombian debtor whose debt is in US dollars
    client, debt = _signed_in("CO")
    type(debt).objects.filter(pk=debt.pk).update(currency="USD")

    response = client.post(
        reverse("portal:pay", args=[debt.pk]), {"amount": "100.00", "method": "pse"}
    )

    # Then PSE says it takes pesos, and nothing is started (a card still can be)
    assert response.status_code == 200
    assert "PSE takes payments in COP only; this debt is in USD." in response.content.decode()
    assert not PaymentIntent.objects.exists()
