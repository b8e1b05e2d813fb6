"""Sending: re-checked at send time, rendered, delivered once; retries; dispatch claims."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from messaging.models import ContactAction, Message, SandboxDelivery
from messaging.services.dispatch import messages_claim_due, messages_dispatch_date
from messaging.services.sending import TransientSendError, message_send
from messaging.tasks import send_batch, send_message
from portfolio.models import ContactPoint, Hold
from tests.factories.messaging import make_message
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

# Tuesday 2026-12-01 10:00 in Bogotá: inside every window of the default rules.
AT = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def debt(creditor):
    creditor.contact_phone = "+57 601 555 0199"
    creditor.save()
    debtor = DebtorFactory(creditor=creditor, full_name="Ana María Pérez")
    for channel, value in (("email", "ana@example.com"), ("sms", "+573001112233"),
                           ("voice", "+573001112233")):  # fmt: skip
        ContactPointFactory(debtor=debtor, channel=channel, value=value)
    return DebtFactory(creditor=creditor, debtor=debtor, stage="friendly_reminder")


def _msg(debt, **kw):
    kw.setdefault("to", "ana@example.com")
    kw.setdefault("planned_for", AT)
    channel = kw.get("channel", "email")
    ContactPoint.objects.get_or_create(
        debtor=debt.debtor, channel=channel, value=kw["to"], defaults={"consent_granted": True}
    )
    return make_message(debt=debt, **kw)


def test_an_email_is_rendered_in_the_debtors_language_and_sent_once(debt):
    message = _msg(debt)
    outcome = message_send(message_id=message.id, simulate_at=AT)
    again = message_send(message_id=message.id, simulate_at=AT)
    message.refresh_from_db()
    assert (outcome.status, again.status) == ("sent", "skipped")
    assert message.status == "sent" and message.attempts == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert "$1.170.000,00" in email.body  # COP in es_CO: Colombian grouping and decimals
    assert "Banco Andino" in email.body and "+57 601 555 0199" in email.body
    assert "/unsubscribe/" in email.body
    assert email.extra_headers["List-Unsubscribe"].startswith("<http")
    assert email.body.startswith("Hola Ana,")


def test_sms_goes_to_the_sandbox_exactly_once(debt):
    message = _msg(debt, channel="sms", to="+573001112233")
    message_send(message_id=message.id, simulate_at=AT)
    message_send(message_id=message.id, simulate_at=AT)
    delivery = SandboxDelivery.objects.get()
    assert delivery.sends == 1 and delivery.idempotency_key == message.idempotency_key
    assert "STOP" in delivery.body


def test_a_paid_debt_cancels_the_message(debt):
    debt.balance = debt.principal = debt.interest = debt.fees = 0
    debt.save()
    Message.objects.filter(pk=_msg(debt).pk)
    from portfolio.models import Debt

    Debt.objects.filter(pk=debt.pk).update(stage="paid")
    message = Message.objects.get()
    assert message_send(message_id=message.id, simulate_at=AT).status == "cancelled"
    message.refresh_from_db()
    assert message.suppression_rule == "PAID" and not mail.outbox


def test_a_hold_opened_after_planning_suppresses_at_send_time(debt):
    message = _msg(debt)
    Hold.objects.create(
        debtor=debt.debtor, kind=Hold.Kind.DISPUTE, reason="no", source="collector",
        opened_at=timezone.now(),
    )  # fmt: skip
    assert message_send(message_id=message.id, simulate_at=AT).status == "suppressed"
    message.refresh_from_db()
    assert message.suppression_rule and not mail.outbox


def test_an_opt_out_after_planning_suppresses_at_send_time(debt):
    message = _msg(debt)
    ContactPoint.objects.filter(debtor=debt.debtor, channel="email").update(consent_granted=False)
    assert message_send(message_id=message.id, simulate_at=AT).status == "suppressed"


def test_outside_the_window_at_send_time_is_suppressed(debt):
    night = datetime.datetime(2026, 12, 1, 4, 0, tzinfo=datetime.UTC)  # 23:00 in Bogotá
    message = _msg(debt, planned_for=night)
    assert message_send(message_id=message.id, simulate_at=night).status == "suppressed"
    message.refresh_from_db()
    assert message.suppression_rule == "CO-WINDOW"


def test_a_transient_error_keeps_the_message_for_a_retry_then_fails(debt):
    message = _msg(debt, channel="sms", to="fail-transient-1")
    with pytest.raises(TransientSendError):
        message_send(message_id=message.id, simulate_at=AT)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("planned", 1)
    assert "outage" in message.last_error
    message_send(message_id=message.id, simulate_at=AT, last_try=True)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 2)


def test_a_permanent_error_fails_at_once(debt):
    message = _msg(debt, channel="sms", to="fail-permanent-1")
    assert message_send(message_id=message.id, simulate_at=AT).status == "failed"


def test_voice_is_handed_to_the_assigned_collectors_call_list(debt, collector):
    debt.assigned_to = collector
    debt.save()
    message = _msg(debt, channel="voice", to="+573001112233", template="firm_call")
    assert message_send(message_id=message.id, simulate_at=AT).status == "sent"
    message.refresh_from_db()
    assert message.collector == collector
    assert message.provider_message_id == f"collector-{collector.pk}"


def test_claims_take_due_messages_once_and_retake_abandoned_ones(debt, settings):
    settings.CARTERA_DISPATCH_LEASE_SECONDS = 60
    due = _msg(debt, planned_for=timezone.now() - datetime.timedelta(minutes=5))
    _msg(debt, planned_for=timezone.now() + datetime.timedelta(hours=1))
    token, ids = messages_claim_due()
    assert ids == [due.id]
    assert messages_claim_due()[1] == []  # claimed: nobody else takes it
    later = timezone.now() + datetime.timedelta(seconds=61)
    new_token, again = messages_claim_due(now=later)  # the lease ran out: a dead worker
    assert again == [due.id] and new_token != token


def test_a_stale_claim_token_does_not_send(debt):
    message = _msg(debt)
    token, _ids = messages_claim_due(now=AT + datetime.timedelta(minutes=1))
    assert message_send(message_id=message.id, claim_token="00000000-0000-0000-0000-000000000000",
                        simulate_at=AT).status == "skipped"  # fmt: skip
    assert message_send(message_id=message.id, claim_token=token, simulate_at=AT).status == "sent"


def test_the_batch_task_retries_transient_failures_with_backoff(debt, creditor, monkeypatch):
    # at 10:00 in Bogotá, two debtors: one reachable, one whose provider is down
    monkeypatch.setattr(timezone, "now", lambda: AT)
    other = DebtFactory(creditor=creditor, stage="friendly_reminder")
    ok = _msg(debt, channel="sms", to="+573001112233")
    flaky = _msg(other, channel="sms", to="fail-transient-2")
    retried = []
    monkeypatch.setattr(
        send_message, "apply_async", lambda args, countdown: retried.append((args, countdown))
    )
    assert send_batch.run([ok.id, flaky.id], None) == 1
    assert [args[0] for args, _c in retried] == [flaky.id]
    flaky.refresh_from_db()
    assert (flaky.status, flaky.attempts) == ("planned", 1)
    assert send_message.autoretry_for and send_message.retry_backoff
    assert send_message.acks_late and send_message.reject_on_worker_lost


def test_one_contact_a_day_holds_inside_a_batch(debt, monkeypatch):
    # two channels for one Colombian debtor in one batch: the first sent wins (CO-DAY)
    monkeypatch.setattr(timezone, "now", lambda: AT)
    email = _msg(debt)
    sms = _msg(debt, channel="sms", to="+573001112233")
    send_batch.run([email.id, sms.id], None)
    email.refresh_from_db()
    sms.refresh_from_db()
    assert email.status == "sent"
    assert (sms.status, sms.suppression_rule) == ("suppressed", "CO-DAY")


def test_run_cycle_dispatch_delivers_the_days_messages(debt):
    day = datetime.date(2026, 12, 1)
    ContactAction.objects.create(
        debt=debt, business_date=day, stage="friendly_reminder", channel="email",
        template_code="friendly",
    )  # fmt: skip
    from messaging.services.planning import messages_plan

    messages_plan(business_date=day, now=datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC))
    counts = messages_dispatch_date(business_date=day)
    assert counts == {"sent": 1}
    assert Message.objects.get().status == "sent" and len(mail.outbox) == 1


def test_run_cycle_command_accepts_dispatch(debt, capsys):
    call_command("run_cycle", "--as-of", "2026-12-01", "--dispatch")
    assert "messages" in capsys.readouterr().out
