"""A dispatch batch is sent set-based: its cost in queries does not grow with its size, and
each message is still checked on its own (compliance, failures) as if sent one by one."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from messaging.models import Message, SandboxDelivery
from messaging.tasks import send_batch
from portfolio.models import ContactPoint
from tests.factories.messaging import make_message
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db

# Tuesday 2026-12-01 10:00 in Bogotá: inside every window of the default rules.
AT = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _at(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: AT)


def _sms(creditor, *, to=None):
    debt = DebtFactory(creditor=creditor, stage="friendly_reminder")
    to = to or f"+57300{debt.debtor_id:07d}"
    ContactPoint.objects.get_or_create(
        debtor=debt.debtor, channel="sms", value=to, defaults={"consent_granted": True}
    )
    return make_message(debt=debt, channel="sms", to=to, planned_for=AT)


def _queries_to_send(messages) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert send_batch.run([m.id for m in messages], None) == len(messages)
    return len(queries)


def test_a_batch_costs_the_same_queries_whatever_its_size(creditor):
    # given a warm worker (templates and rules read once), two batches: 2 and 12 messages
    _queries_to_send([_sms(creditor)])
    small = [_sms(creditor) for _ in range(2)]
    large = [_sms(creditor) for _ in range(12)]
    # then sending six times as many messages takes exactly as many statements
    assert _queries_to_send(small) == _queries_to_send(large)
    assert SandboxDelivery.objects.count() == 15
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}


def test_a_failed_first_message_does_not_count_as_the_debtors_contact_of_the_day(creditor):
    # a Colombian debtor's SMS fails at the provider; their e-mail in the same batch goes out
    failing = _sms(creditor, to="fail-permanent-7")
    debt = failing.covered.get().debt
    ContactPoint.objects.create(
        debtor=debt.debtor, channel="email", value="ana@example.com", consent_granted=True
    )
    email = make_message(debt=debt, to="ana@example.com", planned_for=AT)
    send_batch.run([failing.id, email.id], None)
    failing.refresh_from_db()
    email.refresh_from_db()
    assert (failing.status, failing.attempts) == ("failed", 1)
    assert email.status == "sent"


def test_a_batch_sent_twice_sends_each_message_once(creditor):
    messages = [_sms(creditor) for _ in range(3)]
    ids = [m.id for m in messages]
    assert send_batch.run(ids, None) == 3
    assert send_batch.run(ids, None) == 0  # a redelivered task: every row is already sent
    assert list(SandboxDelivery.objects.values_list("sends", flat=True)) == [1, 1, 1]


def test_a_message_that_breaks_fails_alone_and_the_rest_of_the_batch_goes(creditor, monkeypatch):
    # given a batch of three where preparing the second one meets a bug
    from messaging.services import sending

    messages = [_sms(creditor) for _ in range(3)]
    broken = messages[1]
    real = sending.message_context

    def context(**kwargs):
        if kwargs["message_id"] == broken.id:
            raise KeyError("missing field")
        return real(**kwargs)

    monkeypatch.setattr(sending, "message_context", context)
    # when the batch is sent
    assert send_batch.run([m.id for m in messages], None) == 2
    # then the others went out and the broken one is failed with why, not left to block
    for message in messages:
        message.refresh_from_db()
    assert [m.status for m in messages] == ["sent", "failed", "sent"]
    assert broken.suppression_rule == "INTERNAL" and "KeyError" in broken.last_error + str(
        broken.suppression_reason
    )
    assert send_batch.run([m.id for m in messages], None) == 0
