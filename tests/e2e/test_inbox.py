"""The team inbox in Chromium, in Spanish and in English: a debtor answers a WhatsApp reminder
(the sandbox provider's signed webhook), their collector sees the unread reply in the inbox,
opens its thread (our reminder, then their answer) and marks it handled."""

import datetime
import hashlib
import hmac
import json
import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from core.dates import business_today
from messaging.models import InboundMessage
from portfolio.models import Stage
from tests.e2e.conftest import DESKTOP, log_in
from tests.e2e.test_complaints import check
from tests.factories.messaging import make_message
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = "+573001234050"


def _reply_webhook(context, live_server, *, message, text: str, event_id: str):
    """The sandbox provider posting the debtor's reply, signed as it signs its callbacks."""
    body = json.dumps(
        {"id": event_id, "message": message.idempotency_key, "event": "reply", "text": text}
    ).encode()
    signature = hmac.new(
        django_settings.CARTERA_SANDBOX_WEBHOOK_SECRET.encode(), body, hashlib.sha256
    ).hexdigest()
    return context.request.post(
        live_server.url + reverse("messaging:sandbox-webhook"),
        data=body,
        headers={"Content-Type": "application/json", "X-Cartera-Signature": signature},
    )


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_collector_reads_a_reply_in_its_thread_and_handles_it(live_server, browser, language):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    collector = CollectorFactory(username="gestora")
    debt = DebtFactory(
        creditor=creditor,
        assigned_to=collector,
        debt_ref="OBL-777",
        due_date=business_today() - datetime.timedelta(days=20),
        stage=Stage.FIRM_NOTICE,
        debtor__full_name="Ana María Pérez",
        debtor__language=language,
    )
    ContactPointFactory(debtor=debt.debtor, channel="whatsapp", value=PHONE, consent_granted=True)
    reminder = make_message(
        debt=debt,
        channel="whatsapp",
        to=PHONE,
        status="sent",
        body="Hola Ana, su cuota de la obligación OBL-777 vence hoy.",
        sent_at=timezone.now() - datetime.timedelta(hours=2),
    )

    findings: list[str] = []
    desk = browser.new_context(
        viewport=DESKTOP, locale="es-CO", timezone_id="America/Bogota", bypass_csp=True
    )
    # Given the debtor answered the reminder on WhatsApp
    answer = "Ya pagué ayer en la sucursal, les envío el comprobante."
    response = _reply_webhook(desk, live_server, message=reminder, text=answer, event_id="ev-1")
    assert response.status == 201
    # (the provider retries its webhook: still one message in the inbox)
    again = _reply_webhook(desk, live_server, message=reminder, text=answer, event_id="ev-1")
    assert again.status == 200
    inbound = InboundMessage.objects.get()
    assert (inbound.debtor, inbound.in_reply_to, inbound.status) == (
        debt.debtor,
        reminder,
        "unread",
    )

    # When their collector signs in, the navigation shows one unread reply
    page = desk.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, "gestora")
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    inbox_link = page.locator(f".mainnav a[href='{reverse('collections:inbox')}']")
    expect(inbox_link.get_by_test_id("inbox-unread")).to_have_text(re.compile(r"^1\b"))
    inbox_link.click()

    # Then the inbox lists the reply, from the debtor, on the debt
    row = page.locator(f"[data-testid=inbox] tr[data-inbound='{inbound.pk}']")
    expect(row).to_contain_text("Ana María Pérez")
    expect(row).to_contain_text("OBL-777")
    expect(row).to_contain_text("Ya pagué ayer")
    check(page, f"inbox_01_list_{language}", findings)

    # and its thread shows our reminder, then their answer
    row.get_by_role("link", name="Ya pagué ayer").click()
    thread = page.get_by_test_id("thread")
    items = thread.locator("li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_have_attribute("data-kind", "out")
    expect(items.nth(0)).to_contain_text("vence hoy")
    expect(items.nth(1)).to_have_attribute("data-kind", "in")
    expect(items.nth(1)).to_contain_text(answer)
    # Inside WhatsApp's 24-hour window: a free-text reply may be written.
    expect(page.get_by_test_id("reply-form")).to_be_visible()
    check(page, f"inbox_02_thread_{language}", findings)

    # When they mark it handled
    handled = reverse("collections:inbound-handled", args=[inbound.pk])
    page.locator(f"form[action='{handled}'] button").click()

    # Then it shows who handled it, and it leaves the open inbox and the unread count
    expect(page.get_by_test_id("handled-by")).to_contain_text(collector.get_full_name())
    check(page, f"inbox_03_handled_{language}", findings)
    inbound.refresh_from_db()
    assert (inbound.status, inbound.handled_by) == ("handled", collector)
    page.goto(live_server.url + reverse("collections:inbox"))
    expect(page.locator("[data-testid=inbox]")).to_have_count(0)
    expect(page.get_by_test_id("inbox-unread")).to_have_count(0)
    desk.close()
    assert findings == []
