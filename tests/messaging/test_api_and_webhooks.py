"""The messages API (scoped, filtered, read-only), provider callbacks, the unsubscribe page."""

import hashlib
import hmac
import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from twilio.request_validator import RequestValidator

from messaging.models import DeliveryEvent, Message
from messaging.services.context import optout_token
from portfolio.models import ConsentEvent, ContactPoint
from tests.factories.messaging import make_message
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db


def _auth(client, user):
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def world(creditor, collector, other_collector):
    mine = DebtFactory(creditor=creditor, assigned_to=collector)
    theirs = DebtFactory(creditor=creditor, assigned_to=other_collector)
    elsewhere = DebtFactory(creditor=CreditorFactory(code="otro"))
    return {
        "mine": make_message(debt=mine, status="sent"),
        "theirs": make_message(debt=theirs, channel="sms", to="+573001"),
        "elsewhere": make_message(debt=elsewhere),
        "debt": mine,
    }


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_messages_are_scoped_by_role(api_client, world, collector, manager, admin_user):
    url = "/api/v1/messages/"
    assert _ids(_auth(api_client, collector).get(url)) == {world["mine"].id}
    assert _ids(_auth(api_client, manager).get(url)) == {world["mine"].id, world["theirs"].id}
    assert len(_ids(_auth(api_client, admin_user).get(url))) == 3
    # a message of another collector's case looks like it does not exist
    other = _auth(api_client, collector).get(f"{url}{world['theirs'].id}/")
    assert other.status_code == 404


def test_messages_filter_by_debt_channel_status_and_date(api_client, world, admin_user):
    client = _auth(api_client, admin_user)
    url = "/api/v1/messages/"
    assert _ids(client.get(url, {"debt": world["debt"].id})) == {world["mine"].id}
    assert _ids(client.get(url, {"channel": "sms"})) == {world["theirs"].id}
    assert _ids(client.get(url, {"status": "sent"})) == {world["mine"].id}
    assert len(_ids(client.get(url, {"date": "2026-12-01"}))) == 3
    assert client.get(url, {"status": "nonsense"}).status_code == 400
    row = client.get(f"{url}{world['mine'].id}/").json()
    for name in ("channel", "template", "to", "planned_for", "sent_at", "status",
                 "suppression_reason", "debts"):  # fmt: skip
        assert name in row
    assert client.post(url, {}).status_code == 405


def test_case_page_lists_the_debts_messages(client, world, collector):
    client.force_login(collector)
    response = client.get(reverse("portfolio:debt-detail", args=[world["debt"].id]))
    assert response.status_code == 200
    assert world["mine"].to in response.content.decode()


def _sandbox_post(client, payload, signature=None):
    body = json.dumps(payload).encode()
    from django.conf import settings

    good = hmac.new(
        settings.CARTERA_SANDBOX_WEBHOOK_SECRET.encode(), body, hashlib.sha256
    ).hexdigest()
    return client.post(
        reverse("messaging:sandbox-webhook"),
        data=body,
        content_type="application/json",
        HTTP_X_CARTERA_SIGNATURE=signature if signature is not None else good,
    )


def test_sandbox_callback_marks_delivered_once_and_refuses_bad_signatures(client, world):
    message = world["mine"]
    payload = {"id": "ev-1", "message": message.idempotency_key, "event": "delivered"}
    assert _sandbox_post(client, payload, signature="0" * 64).status_code == 403
    message.refresh_from_db()
    assert message.status == "sent" and not DeliveryEvent.objects.exists()
    assert _sandbox_post(client, payload).status_code == 201
    assert _sandbox_post(client, payload).status_code == 200  # replay: recorded once
    message.refresh_from_db()
    assert message.status == "delivered" and DeliveryEvent.objects.count() == 1
    assert _sandbox_post(client, {"id": 3}).status_code == 400


def test_sandbox_callback_is_unreachable_when_no_channel_uses_the_sandbox(client, world, settings):
    # Given a server whose channels are real providers (production: config/checks.py)
    settings.CARTERA_CHANNEL_BACKENDS = {
        **settings.CARTERA_CHANNEL_BACKENDS,
        "sms": "messaging.channels.twilio.TwilioBackend",
        "whatsapp": "",
    }
    ContactPointFactory(debtor=world["mine"].debtor, channel="email", value=world["mine"].to)
    # When someone posts a correctly signed sandbox STOP for a real message
    payload = {"id": "ev-x", "message": world["mine"].idempotency_key, "event": "opt_out"}
    # Then there is no such endpoint, and nothing changed
    assert _sandbox_post(client, payload).status_code == 404
    assert not DeliveryEvent.objects.exists()
    assert ContactPoint.objects.get(debtor=world["mine"].debtor).consent_granted is True


def test_a_stop_reply_revokes_consent_and_suppresses_planned_messages(client, creditor):
    debt = DebtFactory(creditor=creditor)
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+573009998877")
    sent = make_message(debt=debt, channel="sms", to="+573009998877", status="sent")
    planned = make_message(debt=debt, channel="sms", to="+573009998877")
    payload = {"id": "ev-stop", "message": sent.idempotency_key, "event": "reply", "text": "Stop"}
    assert _sandbox_post(client, payload).status_code == 201
    point = ContactPoint.objects.get(debtor=debt.debtor, channel="sms")
    assert point.consent_granted is False and point.consent_source == "opt_out"
    assert ConsentEvent.objects.filter(contact_point=point, granted=False).exists()
    planned.refresh_from_db()
    assert (planned.status, planned.suppression_rule) == ("suppressed", "OPT-OUT")


def test_twilio_status_callback_checks_the_signature(client, world, settings):
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    message = world["theirs"]
    Message.objects.filter(pk=message.pk).update(status="sent", provider_message_id="SM123")
    url = reverse("messaging:twilio-status")
    params = {"MessageSid": "SM123", "MessageStatus": "delivered"}
    bad = client.post(url, params, HTTP_X_TWILIO_SIGNATURE="forged")
    assert bad.status_code == 403
    signature = RequestValidator("secret-token").compute_signature(
        settings.CARTERA_PUBLIC_URL + url, params
    )
    assert client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 204
    assert client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 204
    message.refresh_from_db()
    assert message.status == "delivered" and DeliveryEvent.objects.count() == 1


def test_twilio_inbound_baja_revokes_whatsapp_consent(client, creditor, settings):
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    debt = DebtFactory(creditor=creditor)
    ContactPointFactory(debtor=debt.debtor, channel="whatsapp", value="+573005556677")
    url = reverse("messaging:twilio-inbound")
    params = {"From": "whatsapp:+573005556677", "Body": "BAJA", "MessageSid": "SMin1"}
    signature = RequestValidator("secret-token").compute_signature(
        settings.CARTERA_PUBLIC_URL + url, params
    )
    assert client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 200
    point = ContactPoint.objects.get(debtor=debt.debtor)
    assert point.consent_granted is False


def test_unsubscribe_page_works_without_login_after_a_confirmation(client, creditor):
    debt = DebtFactory(creditor=creditor)
    ContactPointFactory(debtor=debt.debtor, channel="email", value="x@example.com")
    message = make_message(debt=debt, to="x@example.com", status="sent")
    url = reverse("messaging:unsubscribe", args=[optout_token(message.id)])
    page = client.get(url)
    assert page.status_code == 200
    assert ContactPoint.objects.get(debtor=debt.debtor).consent_granted is True  # not yet
    done = client.post(url, {"confirm": "yes"})
    assert done.status_code == 200
    assert ContactPoint.objects.get(debtor=debt.debtor).consent_granted is False
    forged = reverse("messaging:unsubscribe", args=["forged-token"])
    assert client.get(forged).status_code == 404


def _unsubscribe_world(creditor):
    debt = DebtFactory(creditor=creditor)
    ContactPointFactory(debtor=debt.debtor, channel="email", value="x@example.com")
    planned = make_message(debt=debt, to="x@example.com")
    message = make_message(debt=debt, to="x@example.com", status="sent")
    return debt, planned, reverse("messaging:unsubscribe", args=[optout_token(message.id)])


def test_one_click_unsubscribe_works_without_cookies_or_csrf_token(creditor):
    # Given an e-mail whose List-Unsubscribe header points here (RFC 8058)
    debt, planned, url = _unsubscribe_world(creditor)
    mail_provider = Client(enforce_csrf_checks=True)  # no session, no cookie, no CSRF token
    # When the mail provider posts the one-click body, twice
    first = mail_provider.post(url, {"List-Unsubscribe": "One-Click"})
    again = mail_provider.post(url, {"List-Unsubscribe": "One-Click"})
    # Then the consent is revoked once, planned e-mails stop, and the repeat changes nothing
    assert (first.status_code, again.status_code) == (200, 200)
    point = ContactPoint.objects.get(debtor=debt.debtor)
    assert point.consent_granted is False and point.consent_source == "opt_out"
    assert ConsentEvent.objects.filter(contact_point=point, granted=False).count() == 1
    planned.refresh_from_db()
    assert (planned.status, planned.suppression_rule) == ("suppressed", "OPT-OUT")


def test_unsubscribe_link_asks_first_and_its_form_works_with_csrf_checks(creditor):
    debt, _planned, url = _unsubscribe_world(creditor)
    browser = Client(enforce_csrf_checks=True)
    # Opening the link (or a mail scanner fetching it) only asks
    page = browser.get(url)
    assert page.status_code == 200 and b'name="confirm"' in page.content
    assert ContactPoint.objects.get(debtor=debt.debtor).consent_granted is True
    # A POST without the one-click body or the confirmation changes nothing either
    assert browser.post(url, {"List-Unsubscribe": "Something"}).status_code == 200
    assert ContactPoint.objects.get(debtor=debt.debtor).consent_granted is True
    # The page's button does it
    assert browser.post(url, {"confirm": "yes"}).status_code == 200
    assert ContactPoint.objects.get(debtor=debt.debtor).consent_granted is False
    forged = reverse("messaging:unsubscribe", args=["forged-token"])
    assert browser.post(forged, {"List-Unsubscribe": "One-Click"}).status_code == 404


def test_outbox_and_templates_pages_are_for_managers(client, world, collector, manager):
    client.force_login(collector)
    assert client.get(reverse("messaging:outbox")).status_code == 403
    client.force_login(manager)
    response = client.get(reverse("messaging:outbox"), {"date": "2026-12-01"})
    assert response.status_code == 200
    assert world["mine"].to in response.content.decode()
    assert world["elsewhere"].to not in response.content.decode()
    assert client.get(reverse("messaging:template-list")).status_code == 200


def test_other_managers_do_not_see_these_messages(api_client, world):
    stranger = ManagerFactory(username="stranger", creditors=[CreditorFactory(code="x2")])
    assert _ids(_auth(api_client, stranger).get("/api/v1/messages/")) == set()


def test_outbox_counts_suppressions_by_rule(client, manager, creditor):
    debt = DebtFactory(creditor=creditor)
    for _n in range(2):
        make_message(debt=debt, status="suppressed", suppression_rule="CO-DAY",
                     suppression_reason="CO-DAY: one a day")  # fmt: skip
    client.force_login(manager)
    response = client.get(reverse("messaging:outbox"), {"date": "2026-12-01"})
    assert [(r["suppression_rule"], r["n"]) for r in response.context["suppressions"]] == [
        ("CO-DAY", 2)
    ]
    filtered = client.get(
        reverse("messaging:outbox"), {"date": "2026-12-01", "status": "suppressed", "q": "CO-DAY"}
    )
    assert filtered.context["page"].paginator.count == 2


def test_a_collector_sees_the_calls_handed_to_them(client, creditor, collector, other_collector):
    debt = DebtFactory(creditor=creditor, assigned_to=collector)
    mine = make_message(debt=debt, channel="voice", to="+5730011", status="sent",
                        collector=collector, body="Guion para el gestor")  # fmt: skip
    other_debt = DebtFactory(creditor=creditor, assigned_to=other_collector)
    make_message(debt=other_debt, channel="voice", to="+5730099", status="sent",
                 collector=other_collector)  # fmt: skip
    client.force_login(collector)
    response = client.get(reverse("messaging:call-list"), {"date": "2026-12-01"})
    assert list(response.context["page"].object_list) == [mine]


def test_the_template_list_says_when_each_template_was_updated_in_spanish(client, manager):
    # "Actualizada" of a template (la plantilla), not "Actualizadas" of an import's rows
    client.force_login(manager)
    html = client.get(reverse("messaging:template-list"), HTTP_ACCEPT_LANGUAGE="es").content
    assert ">Actualizada<" in html.decode() and ">Actualizadas<" not in html.decode()
