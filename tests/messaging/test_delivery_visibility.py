"""Delivery visibility: a sent message with no delivery news past its channel's usual time is
flagged on the outbox, the message page and the case page; a failed notice shows on the case
page; certified letters waiting for their proof can take it from the case page."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from messaging.delivery import EXPECTED_DELIVERY, stuck_q
from messaging.models import DeliveryEvent, LetterProof, Message
from tests.factories.messaging import make_message
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

BOGOTA = zoneinfo.ZoneInfo("America/Bogota")
SENT = datetime.datetime(2026, 11, 10, 10, 0, tzinfo=BOGOTA)
DAY = SENT.date()


def _sent(debt, channel, *, template="friendly", to="x", **fields):
    values = {
        "channel": channel,
        "template": template,
        "status": "sent",
        "sent_at": SENT,
        "planned_for": SENT,
        "business_date": DAY,
        "to": to,
    }
    values.update(fields)
    return make_message(debt=debt, **values)


def _stuck_ids(now):
    return set(Message.objects.filter(stuck_q(now=now)).values_list("id", flat=True))


@pytest.mark.parametrize(
    ("channel", "template", "expected"),
    [
        ("sms", "friendly", EXPECTED_DELIVERY["sms"]),
        ("whatsapp", "friendly", EXPECTED_DELIVERY["whatsapp"]),
        ("email", "friendly", EXPECTED_DELIVERY["email"]),
        ("letter", "bureau_notice", EXPECTED_DELIVERY["certified_letter"]),
    ],
)
def test_a_message_is_stuck_only_after_its_channels_time(channel, template, expected, settings):
    # (e-mail through an ESP whose tracking webhooks are served: delivery news can come)
    settings.CARTERA_EMAIL_ESP, settings.ANYMAIL = "postmark", {"WEBHOOK_SECRET": "u:p"}
    message = _sent(DebtFactory(), channel, template=template)
    edge = SENT + expected
    assert _stuck_ids(edge) == set()  # exactly at the expected time: not yet
    assert _stuck_ids(edge + datetime.timedelta(seconds=1)) == {message.pk}


def test_an_email_sent_by_smtp_is_never_stuck_it_cannot_hear_back(settings):
    # Given e-mail through SMTP (no ESP: no tracking webhook will ever report)
    settings.CARTERA_EMAIL_ESP, settings.ANYMAIL = "", {}
    message = _sent(DebtFactory(), "email")
    # Then it is not flagged, however long ago it left
    assert _stuck_ids(SENT + datetime.timedelta(days=30)) == set()
    # and with an ESP whose webhooks are served, it is past its hours
    settings.CARTERA_EMAIL_ESP, settings.ANYMAIL = "postmark", {"WEBHOOK_SECRET": "u:p"}
    assert _stuck_ids(SENT + datetime.timedelta(days=30)) == {message.pk}


def test_plain_letters_calls_delivered_failed_and_answered_messages_are_never_stuck():
    debt = DebtFactory()
    _sent(debt, "letter", template="friendly")  # the post reports nothing for a plain letter
    _sent(debt, "voice")
    _sent(debt, "sms", status="delivered")
    _sent(debt, "sms", status="failed")
    answered = _sent(debt, "email")
    DeliveryEvent.objects.create(
        message=answered, provider="sandbox", kind="bounced", event_key="ev-b"
    )
    proved = _sent(debt, "letter", template="bureau_notice")
    LetterProof.objects.create(message=proved, kind="manual", received_on=DAY, event_key="manual:x")
    Message.objects.filter(pk=proved.pk).update(status="delivered")
    assert _stuck_ids(SENT + datetime.timedelta(days=60)) == set()


def test_the_outbox_flags_and_filters_stuck_messages_in_scope(client, manager, creditor):
    debt = DebtFactory(creditor=creditor)
    stuck = _sent(debt, "sms", to="+573001112233")
    fine = _sent(debt, "sms", to="+573004445566", status="delivered")
    elsewhere = _sent(DebtFactory(creditor=CreditorFactory(code="otro")), "sms", to="+57300999")
    client.force_login(manager)
    url = reverse("messaging:outbox")
    with time_machine.travel(SENT + datetime.timedelta(minutes=29), tick=False):
        page = client.get(url, {"date": DAY.isoformat(), "stuck": "on"})
        assert page.status_code == 200
        assert list(page.context["page"].object_list) == []
    with time_machine.travel(SENT + datetime.timedelta(minutes=31), tick=False):
        page = client.get(url, {"date": DAY.isoformat()})
        assert page.context["stuck_count"] == 1
        html = page.content.decode()
        assert html.count('data-testid="stuck-flag"') == 1
        assert 'data-testid="outbox-stuck"' in html
        page = client.get(url, {"date": DAY.isoformat(), "stuck": "on"})
        assert [m.pk for m in page.context["page"].object_list] == [stuck.pk]
    assert fine.pk and elsewhere.pk
    # another creditor's manager sees none of it
    client.force_login(ManagerFactory(creditors=[CreditorFactory(code="tercero")]))
    with time_machine.travel(SENT + datetime.timedelta(minutes=31), tick=False):
        page = client.get(url, {"date": DAY.isoformat(), "stuck": "on"})
        assert page.context["stuck_count"] == 0
        assert list(page.context["page"].object_list) == []


def test_the_case_page_shows_failed_notices_stuck_messages_and_letters_awaiting_proof(
    client, manager, creditor
):
    debt = DebtFactory(creditor=creditor)
    failed = _sent(debt, "email", template="firm_notice", status="failed", last_error="bounced")
    _sent(debt, "email", template="friendly", status="failed")  # not a notice
    letter = _sent(debt, "letter", template="bureau_notice", to="Calle 1 # 2-3")
    client.force_login(manager)
    url = reverse("portfolio:debt-detail", args=[debt.pk])
    with time_machine.travel(SENT + datetime.timedelta(days=2), tick=False):
        html = client.get(url).content.decode()
    assert 'data-testid="failed-notices"' in html
    assert reverse("messaging:message-detail", args=[failed.pk]) in html
    assert 'data-testid="awaiting-proof"' in html
    assert reverse("messaging:letter-proof-upload", args=[letter.pk]) in html
    assert 'data-testid="stuck-messages"' not in html  # a certified letter has 15 days
    with time_machine.travel(SENT + datetime.timedelta(days=16), tick=False):
        html = client.get(url).content.decode()
    assert 'data-testid="stuck-messages"' in html
    # with its proof, the letter no longer waits and shows its day of receipt
    LetterProof.objects.create(
        message=letter, kind="manual", received_on=DAY, event_key="manual:case"
    )
    Message.objects.filter(pk=letter.pk).update(status="delivered")
    with time_machine.travel(SENT + datetime.timedelta(days=16), tick=False):
        html = client.get(url).content.decode()
    assert 'data-testid="awaiting-proof"' not in html
    assert 'data-testid="stuck-messages"' not in html


def test_the_case_page_without_problems_shows_no_alert(client, manager, creditor):
    debt = DebtFactory(creditor=creditor)
    _sent(debt, "email", template="firm_notice", status="delivered")
    client.force_login(manager)
    html = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()
    assert "failed-notices" not in html and "awaiting-proof" not in html


def test_a_message_lists_the_debts_it_covers_as_a_list_is_written(client, manager, creditor):
    first = DebtFactory(creditor=creditor, debt_ref="OBL-1")
    second = DebtFactory(creditor=creditor, debtor=first.debtor, debt_ref="OBL-2")
    message = make_message(debt=first, debts=[second])
    client.force_login(manager)
    html = client.get(reverse("messaging:message-detail", args=[message.pk])).content.decode()
    # "OBL-1, OBL-2": the comma right after the first reference, none before it
    assert re.search(r">OBL-\d</a>,\s*<a [^>]*>OBL-\d</a>", html)
    assert not re.search(r"OBL-\d</a>\s+,", html)
