"""E-mail through django-anymail: the key travels with the e-mail, and the ESP's signed
tracking webhooks (Postmark's and Mailgun's documented payloads, through the real URLs) mark
messages delivered, addresses dead, and complaints as opt-outs, once."""

import base64
import copy
import datetime
import hashlib
import hmac
import json

import pytest
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from collections_app.services.notice_actions import EMAIL_ELSE_LETTER_SQL
from messaging.channels.email import key_from_message_id, message_id_header
from messaging.models import ContactAction, DeliveryEvent, Message
from messaging.services.planning import messages_plan
from messaging.services.sending import message_send, messages_send
from portfolio.models import ConsentEvent, ContactPoint
from portfolio.services.contact_points import contact_points_invalidate
from tests.factories.messaging import make_message
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

# Tuesday 2026-12-01 10:00 in Bogotá: inside every window of the default rules.
AT = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.UTC)
NEXT_DAY = datetime.date(2026, 12, 2)
ADDRESS = "ana@example.com"
SECRET = "cartera-hooks:s3cret-value"
SIGNING_KEY = "key-mailgun-signing-test"
POSTMARK = {"CARTERA_EMAIL_ESP": "postmark", "ANYMAIL": {"WEBHOOK_SECRET": SECRET}}
MAILGUN = {
    "CARTERA_EMAIL_ESP": "mailgun",
    "ANYMAIL": {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY},
}
ANYMAIL_TEST_BACKEND = "anymail.backends.test.EmailBackend"

# Postmark's documented webhook payloads (postmarkapp.com/developer/webhooks), with our key in
# Metadata as the backend sends it.
POSTMARK_DELIVERY = {
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "Recipient": ADDRESS,
    "DeliveredAt": "2026-12-01T16:33:54.9070259Z",
    "Details": "Test delivery webhook details",
    "Tag": "welcome-email",
    "ServerID": 23,
    "Metadata": {},
    "RecordType": "Delivery",
    "MessageStream": "outbound",
}
POSTMARK_BOUNCE = {
    "RecordType": "Bounce",
    "MessageStream": "outbound",
    "ID": 4323372036854775807,
    "Type": "HardBounce",
    "TypeCode": 1,
    "Name": "Hard bounce",
    "Tag": "Test",
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "Metadata": {},
    "ServerID": 23,
    "Description": "The server was unable to deliver your message (ex: unknown user, "
    "mailbox not found).",
    "Details": "Test bounce details",
    "Email": ADDRESS,
    "From": "sender@example.com",
    "BouncedAt": "2026-12-01T16:33:54.9070259Z",
    "DumpAvailable": True,
    "Inactive": True,
    "CanActivate": True,
    "Subject": "Test subject",
    "Content": "Test content",
}
POSTMARK_SOFT_BOUNCE = {
    **POSTMARK_BOUNCE,
    "ID": 4323372036854775808,
    "Type": "SoftBounce",
    "TypeCode": 4096,
    "Name": "Soft bounce",
    "Inactive": False,
}
POSTMARK_COMPLAINT = {
    **POSTMARK_BOUNCE,
    "RecordType": "SpamComplaint",
    "ID": 4323372036854775809,
    "Type": "SpamComplaint",
    "TypeCode": 512,
    "Name": "Spam complaint",
    "Description": "The subscriber explicitly marked this message as spam.",
}
POSTMARK_OPEN = {
    "RecordType": "Open",
    "MessageStream": "outbound",
    "Metadata": {},
    "FirstOpen": True,
    "Recipient": ADDRESS,
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "ReceivedAt": "2026-12-01T16:40:54.9070259Z",
    "Platform": "WebMail",
    "ReadSeconds": 5,
    "Tag": "welcome-email",
    "UserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_5)",
    "OS": {"Name": "OS X 10.7 Lion", "Family": "OS X 10", "Company": "Apple Computer, Inc."},
    "Client": {"Name": "Chrome 35.0.1916.153", "Family": "Chrome", "Company": "Google"},
    "Geo": {"CountryISOCode": "CO", "Country": "Colombia", "City": "Bogotá"},
}
POSTMARK_CLICK = {
    "RecordType": "Click",
    "MessageStream": "outbound",
    "Metadata": {},
    "Recipient": ADDRESS,
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "ReceivedAt": "2026-12-01T16:41:54.9070259Z",
    "Platform": "Desktop",
    "ClickLocation": "HTML",
    "OriginalLink": "https://example.com/portal/",
    "Tag": "welcome-email",
    "UserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_5)",
    "OS": {"Name": "OS X 10.7 Lion", "Family": "OS X 10", "Company": "Apple Computer, Inc."},
    "Client": {"Name": "Chrome 35.0.1916.153", "Family": "Chrome", "Company": "Google"},
    "Geo": {"CountryISOCode": "CO", "Country": "Colombia", "City": "Bogotá"},
}


def _auth(secret=SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def _postmark(client, payload, *, message=None, secret=SECRET):
    payload = copy.deepcopy(payload)
    if message is not None:
        payload["Metadata"] = {"cartera_key": message.idempotency_key}
    return client.post(
        reverse("anymail:postmark_tracking_webhook"),
        data=json.dumps(payload),
        content_type="application/json",
        **(_auth(secret) if secret else {}),
    )


@pytest.fixture
def debt(creditor):
    debtor = DebtorFactory(creditor=creditor, full_name="Ana María Pérez")
    ContactPointFactory(debtor=debtor, channel="email", value=ADDRESS, consent_granted=True)
    ContactPointFactory(debtor=debtor, channel="sms", value="+573001112233", consent_granted=True)
    return DebtFactory(creditor=creditor, debtor=debtor, stage="friendly_reminder")


@pytest.fixture
def sent(debt):
    """An e-mail sent through anymail's test backend."""
    message = make_message(debt=debt, to=ADDRESS, planned_for=AT)
    with override_settings(EMAIL_BACKEND=ANYMAIL_TEST_BACKEND):
        assert message_send(message_id=message.id, simulate_at=AT).status == "sent"
    message.refresh_from_db()
    return message


def test_the_email_carries_its_key_in_metadata_and_message_id_and_keeps_the_esps_id(debt):
    message = make_message(debt=debt, to=ADDRESS, planned_for=AT)
    with override_settings(EMAIL_BACKEND=ANYMAIL_TEST_BACKEND):
        outcome = message_send(message_id=message.id, simulate_at=AT)
    message.refresh_from_db()
    assert outcome.status == "sent" and message.status == "sent"
    [email] = mail.outbox
    params = email.anymail_test_params
    assert params["metadata"] == {"cartera_key": message.idempotency_key}
    message_id = params["extra_headers"]["Message-ID"]
    assert message_id == message_id_header(message.idempotency_key)
    assert message_id.startswith("<") and message_id.endswith("@cartera.local>")
    # the reply's In-Reply-To maps back to the message's key
    assert key_from_message_id(message_id) == message.idempotency_key
    assert key_from_message_id("<other@elsewhere.example>") is None
    # the ESP's own id is what the outbox keeps (the test backend numbers its outbox)
    assert message.provider_message_id == "0"
    assert email.anymail_status.message_id == 0


@pytest.mark.parametrize(
    ("error", "status", "last_try"),
    [
        (AnymailAPIError("Inactive recipient", status_code=422), "failed", False),
        (AnymailRecipientsRefused("all refused"), "failed", False),
        (AnymailAPIError("Service unavailable", status_code=503), "retry", False),
        (AnymailAPIError("Rate limited", status_code=429), "retry", False),
        (AnymailAPIError("Service unavailable", status_code=503), "failed", True),
    ],
)
def test_an_esp_refusal_fails_the_message_and_an_outage_is_retried(
    debt, monkeypatch, error, status, last_try
):
    def refuse(self, email):
        raise error

    monkeypatch.setattr("messaging.channels.email.EmailBackend._send", refuse)
    message = make_message(debt=debt, to=ADDRESS, planned_for=AT)
    outcome = messages_send(message_ids=[message.id], simulate_at=AT, last_try=last_try)
    assert outcome[message.id].status == status
    message.refresh_from_db()
    assert message.status == ("failed" if status == "failed" else "planned")
    assert error.args[0] in message.last_error


def test_a_message_id_is_a_valid_rfc_5322_id_whatever_the_key_holds():
    key = "2026-12-02:17:email:collection"
    header = message_id_header(key)
    assert ":" not in header.split("@")[0]
    assert key_from_message_id(header) == key
    assert key_from_message_id(f"<x@y.example> {header}") == key  # a References list


@override_settings(**POSTMARK)
def test_postmark_delivery_marks_the_message_delivered_once(client, sent):
    first = _postmark(client, POSTMARK_DELIVERY, message=sent)
    replay = _postmark(client, POSTMARK_DELIVERY, message=sent)
    assert (first.status_code, replay.status_code) == (200, 200)
    sent.refresh_from_db()
    assert sent.status == "delivered" and sent.delivered_at is not None
    [event] = DeliveryEvent.objects.all()
    assert (event.kind, event.provider, event.message_id) == ("delivered", "postmark", sent.id)
    assert event.payload["RecordType"] == "Delivery"


@override_settings(**POSTMARK)
def test_an_event_found_by_the_esps_message_id_without_metadata(client, sent):
    Message.objects.filter(pk=sent.pk).update(provider_message_id=POSTMARK_DELIVERY["MessageID"])
    assert _postmark(client, POSTMARK_DELIVERY).status_code == 200
    sent.refresh_from_db()
    assert sent.status == "delivered"


@override_settings(**POSTMARK)
@pytest.mark.parametrize("secret", ["", "cartera-hooks:wrong", "intruder:s3cret-value"])
def test_a_webhook_without_the_right_basic_auth_is_refused_and_changes_nothing(
    client, sent, secret
):
    response = _postmark(client, POSTMARK_BOUNCE, message=sent, secret=secret)
    assert response.status_code == 400
    assert not DeliveryEvent.objects.exists()
    sent.refresh_from_db()
    assert sent.status == "sent"
    assert ContactPoint.objects.get(channel="email").invalid_at is None


@pytest.mark.parametrize(
    "settings_",
    [
        {"CARTERA_EMAIL_ESP": "", "ANYMAIL": {"WEBHOOK_SECRET": SECRET}},  # no ESP
        {"CARTERA_EMAIL_ESP": "sendgrid", "ANYMAIL": {"WEBHOOK_SECRET": SECRET}},  # another
        {"CARTERA_EMAIL_ESP": "postmark", "ANYMAIL": {}},  # no basic auth secret
    ],
)
def test_the_webhooks_are_served_only_for_the_configured_esp_with_a_secret(client, sent, settings_):
    with override_settings(**settings_):
        response = _postmark(client, POSTMARK_BOUNCE, message=sent)
    assert response.status_code == 404
    assert not DeliveryEvent.objects.exists()


@override_settings(**POSTMARK)
@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'"a string"',
        b'{"RecordType": "Bounce", "Metadata": "not an object"}',
        b"\xff\xfe",
        b'{"FromFull": {}, "Subject": "an inbound mail at the tracking URL"}',
    ],
)
def test_a_malformed_payload_is_a_400_never_a_500(client, sent, body):
    response = client.post(
        reverse("anymail:postmark_tracking_webhook"),
        data=body,
        content_type="application/json",
        **_auth(),
    )
    assert response.status_code == 400
    assert not DeliveryEvent.objects.exists()


@override_settings(**POSTMARK)
def test_a_hard_bounce_fails_the_message_and_marks_the_address_invalid(client, debt, sent):
    # given another e-mail planned to the same address
    planned = make_message(debt=debt, to=ADDRESS, planned_for=AT + datetime.timedelta(hours=2))

    # when Postmark reports the hard bounce (twice: a replay)
    assert _postmark(client, POSTMARK_BOUNCE, message=sent).status_code == 200
    assert _postmark(client, POSTMARK_BOUNCE, message=sent).status_code == 200

    # then the message failed, the address is invalid, and what was planned to it is cancelled
    sent.refresh_from_db()
    assert sent.status == "failed" and "bounced" in sent.last_error
    point = ContactPoint.objects.get(channel="email")
    assert point.invalid_at is not None
    assert point.invalid_reason.startswith("postmark hard bounce: The server was unable")
    assert point.history.first().invalid_at is not None  # the change is in its history
    planned.refresh_from_db()
    assert (planned.status, planned.suppression_rule) == ("cancelled", "ADDRESS-INVALID")
    [event] = DeliveryEvent.objects.all()
    assert (event.kind, event.event_key) == ("bounced", f"postmark:{POSTMARK_BOUNCE['ID']}")


@override_settings(**POSTMARK)
def test_a_hard_bounce_stops_the_next_email(client, debt, sent):
    # given the address hard-bounced today
    assert _postmark(client, POSTMARK_BOUNCE, message=sent).status_code == 200

    # when tomorrow's e-mail is planned for the debt
    ContactAction.objects.create(
        debt=debt, business_date=NEXT_DAY, stage=debt.stage, channel="email",
        template_code="friendly",
    )  # fmt: skip
    messages_plan(business_date=NEXT_DAY, now=AT)

    # then the dead address is not used: the message is cancelled, and says why
    message = Message.objects.get(business_date=NEXT_DAY)
    assert message.to == ""
    assert (message.status, message.suppression_rule) == ("cancelled", "ADDRESS-INVALID")
    assert message.suppression_display.startswith("ADDRESS-INVALID: the address is marked invalid")


@override_settings(**POSTMARK)
def test_after_a_hard_bounce_the_planner_falls_back_to_another_address(client, debt, sent):
    ContactPointFactory(
        debtor=debt.debtor, channel="email", value="ana.work@example.com", consent_granted=True
    )
    ContactPoint.objects.filter(value=ADDRESS).update(is_primary=True)
    assert _postmark(client, POSTMARK_BOUNCE, message=sent).status_code == 200
    ContactAction.objects.create(
        debt=debt, business_date=NEXT_DAY, stage=debt.stage, channel="email",
        template_code="friendly",
    )  # fmt: skip
    messages_plan(business_date=NEXT_DAY, now=AT)
    message = Message.objects.get(business_date=NEXT_DAY)
    assert (message.status, message.to) == ("planned", "ana.work@example.com")


def test_an_address_that_bounced_after_planning_is_not_sent_to(debt):
    # given an e-mail planned before the address was reported dead
    message = make_message(debt=debt, to=ADDRESS, planned_for=AT)
    contact_points_invalidate(channel="email", value=ADDRESS, reason="test bounce", at=AT)

    # when it is due, the send-time check cancels it
    with override_settings(EMAIL_BACKEND=ANYMAIL_TEST_BACKEND):
        outcome = message_send(message_id=message.id, simulate_at=AT)
    message.refresh_from_db()
    assert outcome.status == "cancelled"
    assert message.suppression_rule == "ADDRESS-INVALID"
    assert not mail.outbox


def test_a_bounced_email_sends_the_notice_by_letter(debt):
    sql = f"SELECT {EMAIL_ELSE_LETTER_SQL.format(alias='d')} FROM portfolio_debt d WHERE d.id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [debt.id])
        before = cursor.fetchone()[0]
        contact_points_invalidate(channel="email", value=ADDRESS, reason="test bounce", at=AT)
        cursor.execute(sql, [debt.id])
        after = cursor.fetchone()[0]
    assert (before, after) == ("email", "letter")


@override_settings(**POSTMARK)
def test_a_soft_bounce_is_recorded_only(client, sent):
    assert _postmark(client, POSTMARK_SOFT_BOUNCE, message=sent).status_code == 200
    sent.refresh_from_db()
    assert sent.status == "sent"
    assert ContactPoint.objects.get(channel="email").invalid_at is None
    assert list(DeliveryEvent.objects.values_list("kind", flat=True)) == ["deferred"]


@override_settings(**POSTMARK)
def test_a_bounce_that_says_nothing_of_the_address_fails_the_message_only(client, sent):
    virus = {
        **POSTMARK_BOUNCE,
        "ID": 4323372036854775810,
        "Type": "VirusNotification",
        "TypeCode": 16,
        "Name": "Virus notification",
    }
    assert _postmark(client, virus, message=sent).status_code == 200
    sent.refresh_from_db()
    assert sent.status == "failed"
    assert ContactPoint.objects.get(channel="email").invalid_at is None
    assert list(DeliveryEvent.objects.values_list("kind", flat=True)) == ["failed"]


@override_settings(**POSTMARK)
def test_a_spam_complaint_is_an_opt_out_of_that_address(client, debt, sent):
    planned = make_message(debt=debt, to=ADDRESS, planned_for=AT + datetime.timedelta(hours=2))
    assert _postmark(client, POSTMARK_COMPLAINT, message=sent).status_code == 200
    assert _postmark(client, POSTMARK_COMPLAINT, message=sent).status_code == 200  # replay
    email = ContactPoint.objects.get(channel="email")
    assert not email.consent_granted and email.consent_source == "opt_out"
    assert ContactPoint.objects.get(channel="sms").consent_granted  # other channels stay
    [revoked] = ConsentEvent.objects.filter(contact_point=email, granted=False)
    assert revoked.note == "postmark spam complaint"
    planned.refresh_from_db()
    assert (planned.status, planned.suppression_rule) == ("suppressed", "OPT-OUT")
    assert list(DeliveryEvent.objects.values_list("kind", flat=True)) == ["complained"]


@override_settings(**POSTMARK)
def test_opens_and_clicks_are_recorded_for_the_funnel(client, sent):
    assert _postmark(client, POSTMARK_OPEN, message=sent).status_code == 200
    assert _postmark(client, POSTMARK_CLICK, message=sent).status_code == 200
    assert _postmark(client, POSTMARK_OPEN, message=sent).status_code == 200  # replay
    second_open = {**POSTMARK_OPEN, "FirstOpen": False, "ReceivedAt": "2026-12-01T18:00:00Z"}
    assert _postmark(client, second_open, message=sent).status_code == 200
    kinds = sorted(DeliveryEvent.objects.filter(message=sent).values_list("kind", flat=True))
    assert kinds == ["clicked", "opened", "opened"]
    click = DeliveryEvent.objects.get(kind="clicked")
    assert click.detail == "https://example.com/portal/"
    sent.refresh_from_db()
    assert sent.status == "sent"  # engagement does not move the status


# Mailgun's documented "failed" (permanent) tracking webhook, signed with the signing key.
def _mailgun_payload(message, *, token="a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"):
    timestamp = "1764604800"
    signature = hmac.new(
        SIGNING_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": "failed",
            "severity": "permanent",
            "id": "G9Bn5sl1TC6nu79C8C0bwg",
            "timestamp": 1764604800.329574,
            "log-level": "error",
            "reason": "bounce",
            "recipient": ADDRESS,
            "recipient-domain": "example.com",
            "delivery-status": {
                "code": 550,
                "message": "5.1.1 The email account that you tried to reach does not exist.",
                "description": "",
                "attempt-no": 1,
            },
            "envelope": {"transport": "smtp", "sender": "bob@cartera.local"},
            "message": {
                "headers": {
                    "to": f"Ana <{ADDRESS}>",
                    "message-id": message_id_header(message.idempotency_key).strip("<>"),
                    "from": "Cartera <no-reply@cartera.local>",
                    "subject": "Recordatorio",
                },
                "attachments": [],
                "size": 111,
            },
            "user-variables": {"cartera_key": message.idempotency_key},
            "tags": [],
            "flags": {"is-routed": False, "is-authenticated": True, "is-test-mode": False},
        },
    }


@override_settings(**MAILGUN)
def test_a_signed_mailgun_bounce_is_applied_and_a_bad_signature_refused(client, sent):
    url = reverse("anymail:mailgun_tracking_webhook")
    forged = _mailgun_payload(sent)
    forged["signature"]["signature"] = "0" * 64
    refused = client.post(url, data=json.dumps(forged), content_type="application/json", **_auth())
    assert refused.status_code == 400
    assert not DeliveryEvent.objects.exists()
    assert ContactPoint.objects.get(channel="email").invalid_at is None

    good = json.dumps(_mailgun_payload(sent))
    for _replay in range(2):
        response = client.post(url, data=good, content_type="application/json", **_auth())
        assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == "failed"
    assert ContactPoint.objects.get(channel="email").invalid_at is not None
    [event] = DeliveryEvent.objects.all()
    assert (event.kind, event.provider) == ("bounced", "mailgun")


@override_settings(**MAILGUN)
def test_a_mailgun_event_maps_back_by_our_message_id_header(client, sent):
    payload = _mailgun_payload(sent, token="b" * 50)
    payload["event-data"]["user-variables"] = {}
    url = reverse("anymail:mailgun_tracking_webhook")
    response = client.post(
        url, data=json.dumps(payload), content_type="application/json", **_auth()
    )
    assert response.status_code == 200
    assert DeliveryEvent.objects.get().message_id == sent.id


@override_settings(CARTERA_EMAIL_ESP="mailgun", ANYMAIL={"WEBHOOK_SECRET": SECRET})
def test_an_esp_missing_its_signing_key_answers_503_for_the_esp_to_retry(client, sent):
    url = reverse("anymail:mailgun_tracking_webhook")
    body = json.dumps(_mailgun_payload(sent))
    response = client.post(url, data=body, content_type="application/json", **_auth())
    assert response.status_code == 503
    assert not DeliveryEvent.objects.exists()


# Postmark's documented inbound webhook payload: a debtor's reply to our e-mail.
def _postmark_inbound(message, *, body="Ya pagué la cuota de diciembre.", message_id=None):
    headers = [
        {"Name": "Return-Path", "Value": f"<{ADDRESS}>"},
        {"Name": "X-Spam-Status", "Value": "No"},
        {"Name": "Message-ID", "Value": "<CAE+reply-1@mail.example.com>"},
    ]
    if message is not None:
        headers.append({"Name": "In-Reply-To", "Value": message_id_header(message.idempotency_key)})
    return {
        "FromName": "Ana María Pérez",
        "MessageStream": "inbound",
        "From": ADDRESS,
        "FromFull": {"Email": ADDRESS, "Name": "Ana María Pérez", "MailboxHash": ""},
        "To": '"Cartera" <respuestas@inbound.cartera.local>',
        "ToFull": [
            {"Email": "respuestas@inbound.cartera.local", "Name": "Cartera", "MailboxHash": ""}
        ],
        "Cc": "",
        "CcFull": [],
        "Bcc": "",
        "BccFull": [],
        "OriginalRecipient": "respuestas@inbound.cartera.local",
        "Subject": "Re: Recordatorio de pago",
        "MessageID": message_id or "73e6d360-66eb-11e1-8e72-a8904824019b",
        "ReplyTo": "",
        "MailboxHash": "",
        "Date": "Tue, 1 Dec 2026 11:45:32 -05:00",
        "TextBody": f"{body}\n\nEl lun, 1 dic 2026, Cartera escribió:\n> Hola Ana,",
        "HtmlBody": f"<html><body><p>{body}</p></body></html>",
        "StrippedTextReply": body,
        "Tag": "",
        "Headers": headers,
        "Attachments": [],
    }


def _inbound_post(client, payload):
    return client.post(
        reverse("anymail:postmark_inbound_webhook"),
        data=json.dumps(payload),
        content_type="application/json",
        **_auth(),
    )


@override_settings(**POSTMARK)
def test_an_email_reply_reaches_the_inbox_threaded_to_the_message_it_answers(client, sent):
    from messaging.models import InboundMessage

    # given a second debtor sharing the address (the sender alone would be ambiguous)
    other = DebtorFactory(creditor=sent.creditor)
    ContactPointFactory(debtor=other, channel="email", value=ADDRESS)

    assert _inbound_post(client, _postmark_inbound(sent)).status_code == 200
    assert _inbound_post(client, _postmark_inbound(sent)).status_code == 200  # replay

    [reply] = InboundMessage.objects.all()
    assert reply.channel == "email" and reply.address == ADDRESS
    assert reply.in_reply_to_id == sent.id and reply.debtor_id == sent.debtor_id
    assert reply.body == "Ya pagué la cuota de diciembre."
    assert reply.subject == "Re: Recordatorio de pago"
    assert reply.provider == "postmark"
    assert reply.payload["in_reply_to"] == message_id_header(sent.idempotency_key)


@override_settings(**POSTMARK)
def test_an_email_reply_without_in_reply_to_is_matched_by_its_sender(client, sent):
    from messaging.models import InboundMessage

    response = _inbound_post(client, _postmark_inbound(None, message_id="other-uuid"))
    assert response.status_code == 200
    reply = InboundMessage.objects.get()
    assert reply.debtor_id == sent.debtor_id and reply.in_reply_to_id == sent.id


@override_settings(**POSTMARK)
def test_an_inbound_without_a_sender_or_with_bad_auth_stores_nothing(client, sent):
    from messaging.models import InboundMessage

    payload = _postmark_inbound(sent)
    payload["FromFull"] = {"Email": "", "Name": ""}
    assert _inbound_post(client, payload).status_code == 400  # no sender: not a mail to keep
    refused = client.post(
        reverse("anymail:postmark_inbound_webhook"),
        data=json.dumps(_postmark_inbound(sent)),
        content_type="application/json",
        **_auth("cartera-hooks:wrong"),
    )
    assert refused.status_code == 400
    garbage = client.post(
        reverse("anymail:postmark_inbound_webhook"),
        data=b'{"FromFull": 7}',
        content_type="application/json",
        **_auth(),
    )
    assert garbage.status_code == 400
    assert not InboundMessage.objects.exists()
