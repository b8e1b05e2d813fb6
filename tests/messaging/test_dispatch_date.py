"""A replayed date (`run_cycle --dispatch`) is sent in claimed batches, each message as at its
planned moment, exactly once."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging.models import Message
from messaging.services.dispatch import messages_dispatch_date
from messaging.tasks import dispatch_due
from portfolio.models import ContactPoint
from tests.factories.messaging import make_message
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 1)
# 10:00 in Bogotá (inside every window), and 23:00 the night before the next day (outside).
MORNING = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.UTC)
NIGHT = datetime.datetime(2026, 12, 2, 4, 0, tzinfo=datetime.UTC)


def _message(creditor, n, planned_for):
    debtor = DebtorFactory(creditor=creditor)
    to = f"d{n}@example.com"
    ContactPointFactory(debtor=debtor, channel="email", value=to)
    ContactPoint.objects.filter(debtor=debtor).update(consent_granted=True)
    debt = DebtFactory(creditor=creditor, debtor=debtor, stage="friendly_reminder")
    return make_message(debt=debt, to=to, planned_for=planned_for, business_date=DAY)


def test_a_date_is_sent_in_claimed_batches_each_as_at_its_planned_moment(creditor, settings):
    settings.CARTERA_DISPATCH_BATCH = 2
    planned = [MORNING + datetime.timedelta(minutes=n) for n in range(4)] + [NIGHT]
    messages = [_message(creditor, n, at) for n, at in enumerate(planned)]
    with CaptureQueriesContext(connection) as queries:
        counts = messages_dispatch_date(business_date=DAY)
    assert counts == {"sent": 4, "suppressed": 1}
    rows = {m.id: m for m in Message.objects.filter(id__in=[m.id for m in messages])}
    for message, at in zip(messages, planned, strict=True):
        row = rows[message.id]
        if at == NIGHT:  # judged at 23:00 Bogotá, not at the moment the command ran
            assert (row.status, row.suppression_rule) == ("suppressed", "CO-WINDOW")
        else:
            assert (row.status, row.sent_at, row.attempts) == ("sent", at, 1)
        assert row.claim_token is None and row.claimed_at is None
    assert len(mail.outbox) == 4
    # One status UPDATE per batch of two (three batches), not one per message.
    writes = [
        q["sql"] for q in queries.captured_queries if 'UPDATE "messaging_message" AS m' in q["sql"]
    ]
    assert len(writes) == 3
    # Exactly once: a second run finds nothing planned and sends nothing.
    assert messages_dispatch_date(business_date=DAY) == {}
    assert len(mail.outbox) == 4


def test_a_message_claimed_by_a_live_dispatch_is_left_to_it(creditor):
    message = _message(creditor, 0, MORNING)
    other = _message(creditor, 1, MORNING)
    Message.objects.filter(id=message.id).update(
        claim_token="6b0f9f3e-4d8e-4f4c-9a53-2b0b6f1d2c11",
        claimed_at=datetime.datetime.now(datetime.UTC),
    )
    assert messages_dispatch_date(business_date=DAY) == {"sent": 1}
    assert Message.objects.get(id=message.id).status == "planned"
    assert Message.objects.get(id=other.id).status == "sent"


def test_dispatch_due_claims_no_more_than_its_limit(creditor, settings, monkeypatch):
    settings.CARTERA_DISPATCH_BATCH = 2
    monkeypatch.setattr("messaging.tasks.business_today", lambda: DAY)
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    for n in range(5):
        _message(creditor, n, now)
    assert dispatch_due.apply(kwargs={"limit": 3}).get() == 3
    assert Message.objects.exclude(status="planned").count() == 3
    assert dispatch_due.apply().get() == 2  # no limit: every batch it may
