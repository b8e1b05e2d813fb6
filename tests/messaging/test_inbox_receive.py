"""Inbound messages: stored once, matched to their debtor, threaded, opt-outs revoke at once."""

import datetime

import pytest
from django.utils import timezone

from messaging.models import InboundMessage
from messaging.selectors.inbound import service_window_open, service_windows_open
from messaging.services.inbox import inbound_receive
from portfolio.models import ContactPoint
from tests.factories.messaging import make_message
from tests.factories.portfolio import ContactPointFactory, DebtFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC)


def _receive(**fields) -> InboundMessage:
    values = {
        "channel": "sms",
        "address": "+573001112233",
        "body": "Puedo pagar el viernes",
        "provider": "twilio",
        "provider_message_id": "SM-1",
        "received_at": NOW,
    }
    values.update(fields)
    return inbound_receive(**values)


def test_a_reply_from_one_debtors_phone_is_matched_threaded_and_assigned(creditor, collector):
    # Given a debtor whose phone got an SMS yesterday (stored in national format by hand)
    debt = DebtFactory(creditor=creditor, assigned_to=collector)
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+573001112233")
    older = make_message(debt=debt, channel="sms", to="+573001112233", status="sent",
                         sent_at=NOW - datetime.timedelta(days=3))  # fmt: skip
    latest = make_message(debt=debt, channel="sms", to="+573001112233", status="delivered",
                          sent_at=NOW - datetime.timedelta(days=1))  # fmt: skip
    make_message(debt=debt, channel="sms", to="+573001112233", status="planned")
    # When they answer from "57 300 111 2233" (no plus, spaces)
    inbound = _receive(address="57 300 111 2233")
    # Then it is theirs, on the debt, for their collector, answering the latest message sent
    assert inbound.address == "+573001112233"
    assert (inbound.debtor, inbound.debt, inbound.creditor) == (debt.debtor, debt, creditor)
    assert inbound.match_status == "matched" and inbound.assigned_to == collector
    assert inbound.in_reply_to == latest != older
    assert inbound.status == "unread" and not inbound.is_opt_out


def test_a_whatsapp_reply_matches_the_debtors_sms_number(creditor):
    debt = DebtFactory(creditor=creditor)
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+525512345678")
    inbound = _receive(channel="whatsapp", address="whatsapp:+525512345678")
    assert inbound.debtor == debt.debtor and inbound.address == "+525512345678"


def test_an_address_shared_by_two_debtors_stays_unmatched_with_candidates(creditor):
    first, second = DebtFactory(creditor=creditor), DebtFactory(creditor=creditor)
    for debt in (first, second):
        ContactPointFactory(debtor=debt.debtor, channel="email", value="Familia@Example.com")
    inbound = _receive(channel="email", address="Familia <FAMILIA@example.com>", body="Hola")
    assert inbound.address == "familia@example.com"
    assert inbound.debtor is None and inbound.match_status == "ambiguous"
    assert inbound.candidate_debtor_ids == sorted([first.debtor_id, second.debtor_id])


def test_an_unknown_sender_is_kept_unmatched():
    inbound = _receive(address="+14155550100")
    assert inbound.debtor is None and inbound.match_status == "unknown"
    assert inbound.candidate_debtor_ids == [] and inbound.status == "unread"


def test_the_message_the_provider_names_decides_debtor_and_thread(creditor):
    # Two debtors share the phone, but the reply quotes a message: that one's debtor wrote it.
    first, second = DebtFactory(creditor=creditor), DebtFactory(creditor=creditor)
    for debt in (first, second):
        ContactPointFactory(debtor=debt.debtor, channel="whatsapp", value="+573001112233")
    named = make_message(debt=second, channel="whatsapp", to="+573001112233", status="sent",
                         sent_at=NOW - datetime.timedelta(hours=2))  # fmt: skip
    inbound = _receive(channel="whatsapp", in_reply_to=named.idempotency_key)
    assert inbound.debtor == second.debtor and inbound.in_reply_to == named


@pytest.mark.parametrize("in_reply_to", ["<>", " < > ", ""])
def test_an_empty_reference_names_no_message(creditor, in_reply_to):
    # Two debtors share the phone; one has a message planned (not sent: no provider id yet)
    first, second = DebtFactory(creditor=creditor), DebtFactory(creditor=creditor)
    for debt in (first, second):
        ContactPointFactory(debtor=debt.debtor, channel="whatsapp", value="+573001112233")
    make_message(debt=second, channel="whatsapp", to="+573001112233", status="planned")
    # A reply whose reference is empty ("<>") is threaded to nothing: it stays ambiguous
    inbound = _receive(channel="whatsapp", in_reply_to=in_reply_to)
    assert inbound.in_reply_to is None
    assert inbound.debtor is None and inbound.match_status == "ambiguous"


def test_a_replayed_provider_id_is_stored_once():
    first = _receive(provider_message_id="SM-dup")
    again = _receive(provider_message_id="SM-dup", body="otra cosa")
    assert again.pk == first.pk and InboundMessage.objects.count() == 1
    # The same id from another provider is another message.
    assert _receive(provider="sandbox", provider_message_id="SM-dup").pk != first.pk


def test_stop_revokes_consent_at_once_and_is_stored_handled(creditor):
    debt = DebtFactory(creditor=creditor)
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+573001112233")
    planned = make_message(debt=debt, channel="sms", to="+573001112233")
    inbound = _receive(body="STOP")
    assert inbound.is_opt_out and inbound.status == "handled" and inbound.handled_at
    point = ContactPoint.objects.get(debtor=debt.debtor, channel="sms")
    assert point.consent_granted is False
    planned.refresh_from_db()
    assert planned.status == "suppressed"


def test_an_email_opt_out_is_a_bare_keyword_not_a_sentence(creditor):
    debt = DebtFactory(creditor=creditor)
    ContactPointFactory(debtor=debt.debtor, channel="email", value="Ana@Example.com")
    talk = _receive(channel="email", address="ana@example.com", provider_message_id="m1",
                    body="End of the month I can pay.\n> quoted")  # fmt: skip
    assert not talk.is_opt_out
    stop = _receive(channel="email", address="ana@example.com", provider_message_id="m2",
                    subject="RE: BAJA", body="")  # fmt: skip
    assert stop.is_opt_out
    assert ContactPoint.objects.get(debtor=debt.debtor, channel="email").consent_granted is False


def test_the_whatsapp_service_window_is_24_hours_from_the_last_inbound():
    _receive(channel="whatsapp", address="whatsapp:+573001112233", received_at=NOW)
    assert service_window_open(channel="whatsapp", address="+573001112233", at=NOW)
    later = NOW + datetime.timedelta(hours=23, minutes=59)
    assert service_window_open(channel="whatsapp", address="+573001112233", at=later)
    closed = NOW + datetime.timedelta(hours=24, minutes=1)
    assert not service_window_open(channel="whatsapp", address="+573001112233", at=closed)
    # Not before it came, not on another channel.
    assert not service_window_open(
        channel="whatsapp", address="+573001112233", at=NOW - datetime.timedelta(minutes=1)
    )
    assert not service_window_open(channel="sms", address="+573001112233", at=later)


def test_the_service_window_for_a_batch_is_one_query(django_assert_num_queries):
    _receive(channel="whatsapp", address="+573001112233", provider_message_id="a")
    _receive(channel="whatsapp", address="+573009998877", provider_message_id="b",
             received_at=NOW - datetime.timedelta(days=2))  # fmt: skip
    with django_assert_num_queries(1):
        open_ = service_windows_open(
            channel="whatsapp",
            addresses=["573001112233", "+573009998877", "+15550000000"],
            at=NOW + datetime.timedelta(hours=1),
        )
    assert open_ == {"573001112233"}


def test_an_aware_time_and_a_provider_id_are_required():
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        _receive(received_at=datetime.datetime(2026, 12, 3, 15, 0))
    with pytest.raises(ApplicationError):
        _receive(provider_message_id="")
    assert timezone.is_aware(NOW) and not InboundMessage.objects.exists()


def test_a_signed_twilio_reply_reaches_the_inbox_once(client, creditor, settings):
    from django.urls import reverse
    from twilio.request_validator import RequestValidator

    settings.TWILIO_AUTH_TOKEN = "secret-token"
    debt = DebtFactory(creditor=creditor)
    ContactPointFactory(debtor=debt.debtor, channel="whatsapp", value="+573005556677")
    url = reverse("messaging:twilio-inbound")
    params = {"From": "whatsapp:+573005556677", "Body": "¿Me pueden llamar?", "MessageSid": "SMr"}
    signature = RequestValidator("secret-token").compute_signature(
        settings.CARTERA_PUBLIC_URL + url, params
    )
    assert client.post(url, params, HTTP_X_TWILIO_SIGNATURE="forged").status_code == 403
    assert not InboundMessage.objects.exists()
    for _ in range(2):  # Twilio retries its webhook
        assert client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 200
    inbound = InboundMessage.objects.get()
    assert (inbound.channel, inbound.address, inbound.debtor) == (
        "whatsapp",
        "+573005556677",
        debt.debtor,
    )
    assert inbound.provider == "twilio" and inbound.body == "¿Me pueden llamar?"


def test_a_sandbox_reply_is_threaded_to_the_message_it_answers(client, creditor):
    import hashlib
    import hmac
    import json

    from django.conf import settings
    from django.urls import reverse

    debt = DebtFactory(creditor=creditor)
    sent = make_message(debt=debt, channel="sms", to="+573001112233", status="sent")
    body = json.dumps(
        {"id": "ev-r", "message": sent.idempotency_key, "event": "reply", "text": "Ok, gracias"}
    ).encode()
    signature = hmac.new(
        settings.CARTERA_SANDBOX_WEBHOOK_SECRET.encode(), body, hashlib.sha256
    ).hexdigest()
    response = client.post(
        reverse("messaging:sandbox-webhook"),
        data=body,
        content_type="application/json",
        HTTP_X_CARTERA_SIGNATURE=signature,
    )
    assert response.status_code == 201
    inbound = InboundMessage.objects.get()
    assert (inbound.in_reply_to, inbound.debtor, inbound.provider) == (sent, debt.debtor, "sandbox")
    assert inbound.body == "Ok, gracias" and not inbound.is_opt_out
