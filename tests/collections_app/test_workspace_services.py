"""Logging contacts: promises, callbacks and disputes from one form; compliance refusals."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from agreements.models import PromiseToPay
from collections_app.models import Assignment, Interaction
from collections_app.services.contacts import contact_check, interaction_past_contacts
from collections_app.services.workspace import (
    assignment_plan,
    debts_assign,
    interaction_log,
    legal_request,
)
from core.dates import business_today
from core.exceptions import ApplicationError
from portfolio.models import Debt, Hold, Stage, Task
from tests.collections_app.workspace_helpers import DAY_ZONE, NIGHT_ZONE, contact_hours_instant
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("contact_hours")]


@pytest.fixture
def debt(creditor, collector):
    debtor = DebtorFactory(creditor=creditor, timezone=DAY_ZONE)
    ContactPointFactory(debtor=debtor, channel="voice", value="+573001234567")
    return DebtFactory(
        creditor=creditor, debtor=debtor, assigned_to=collector, stage=Stage.FIRM_NOTICE
    )


def log(debt, user, **kwargs):
    kwargs.setdefault("channel", "call")
    kwargs.setdefault("outcome", "no_answer")
    return interaction_log(user=user, debt=debt, as_of=business_today(), **kwargs)


def test_a_call_with_a_promise_creates_the_promise(debt, collector):
    when = business_today() + datetime.timedelta(days=5)
    interaction = log(
        debt,
        collector,
        outcome="promise_to_pay",
        promise_amount=Decimal("200000"),
        promise_date=when,
        note="Paga el viernes",
    )
    promise = PromiseToPay.objects.get(debt=debt)
    assert interaction.promise == promise
    assert promise.amount == Decimal("200000.00") and promise.promised_date == when
    assert promise.channel == "phone" and promise.created_by == collector


def test_a_callback_request_creates_a_task_for_the_collector(debt, collector):
    at = timezone.now() + datetime.timedelta(hours=3)
    interaction = log(debt, collector, outcome="callback_requested", callback_at=at)
    task = Task.objects.get(debt=debt)
    assert interaction.task == task
    assert (task.kind, task.assigned_to, task.due_at) == ("callback", collector, at)


def test_a_dispute_places_the_hold(debt, collector):
    interaction = log(debt, collector, outcome="dispute", note="No reconoce la compra")
    hold = Hold.objects.get(debt=debt)
    assert interaction.hold == hold and hold.kind == "dispute" and hold.is_open
    # and the call button now refuses: the debt is on hold
    assert not contact_check(debt=debt).allowed


def test_a_failed_side_effect_writes_nothing(debt, collector):
    with pytest.raises(ApplicationError) as exc:
        log(
            debt,
            collector,
            outcome="promise_to_pay",
            promise_amount=Decimal("999999999"),
            promise_date=business_today(),
        )
    assert exc.value.field == "amount"
    assert not Interaction.objects.exists() and not PromiseToPay.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"outcome": "promise_to_pay"}, "promise_amount"),
        ({"outcome": "callback_requested"}, "callback_at"),
        ({"outcome": "dispute"}, "note"),
        ({"channel": "visit"}, "channel"),
        ({"nonpayment_reason": "Perdió el empleo"}, "nonpayment_reason"),
        ({"channel": "fax"}, "channel"),
        ({"duration_seconds": -5}, "duration"),
    ],
)
def test_bad_input_is_refused_with_the_field(debt, collector, kwargs, field):
    with pytest.raises(ApplicationError) as exc:
        log(debt, collector, **kwargs)
    assert exc.value.field == field
    assert not Interaction.objects.exists()


def test_mexican_debtors_may_be_asked_the_reason_and_visited(creditor, collector):
    debtor = DebtorFactory(creditor=creditor, country="MX", timezone=DAY_ZONE)
    debt = DebtFactory(creditor=creditor, debtor=debtor, assigned_to=collector, currency="MXN")
    visit = log(
        debt,
        collector,
        channel="visit",
        outcome="right_party_contact",
        nonpayment_reason="Desempleo",
    )
    assert visit.nonpayment_reason == "Desempleo"


def test_a_call_outside_the_window_is_refused_with_the_rule(creditor, collector):
    debtor = DebtorFactory(creditor=creditor, timezone=NIGHT_ZONE)
    ContactPointFactory(debtor=debtor, channel="voice", value="+573009999999")
    debt = DebtFactory(creditor=creditor, debtor=debtor, assigned_to=collector)
    with pytest.raises(ApplicationError) as exc:
        log(debt, collector)
    assert "CO-WINDOW" in exc.value.message
    assert not Interaction.objects.exists()


BOGOTA = ZoneInfo("America/Bogota")


@pytest.mark.parametrize(
    ("local", "rule"),
    [
        (datetime.datetime(2026, 11, 29, 12, 0), "CO-REST"),  # a Sunday, noon
        (datetime.datetime(2026, 12, 8, 10, 0), "CO-REST"),  # Inmaculada Concepción (Tuesday)
        (datetime.datetime(2026, 11, 28, 19, 0), "CO-WINDOW"),  # Saturday after 15:00
        (datetime.datetime(2026, 11, 25, 6, 30), "CO-WINDOW"),  # Wednesday before 07:00
    ],
)
def test_the_instant_given_to_the_service_decides_the_contact_rules(debt, collector, local, rule):
    now = local.replace(tzinfo=BOGOTA)
    debt.debtor.timezone = "America/Bogota"
    debt.debtor.save(update_fields=["timezone"])
    with pytest.raises(ApplicationError) as exc:
        log(debt, collector, now=now)
    assert exc.value.message.startswith(f"Not allowed now ({rule})")
    assert not Interaction.objects.exists()


def test_a_call_on_a_saturday_morning_given_as_now_is_logged_then(debt, collector):
    now = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=BOGOTA)
    debt.debtor.timezone = "America/Bogota"
    debt.debtor.save(update_fields=["timezone"])
    interaction = log(debt, collector, now=now)
    assert interaction.occurred_at == now


@pytest.mark.parametrize(
    ("wall", "frozen"),
    [
        ("2026-11-29T12:00:00-05:00", "2026-11-27T15:00:00+00:00"),  # Sunday → Friday 10:00
        ("2026-11-28T19:00:00-05:00", "2026-11-27T15:00:00+00:00"),  # Saturday → Friday
        ("2026-12-08T10:00:00-05:00", "2026-12-07T15:00:00+00:00"),  # holiday → Monday
        ("2026-12-09T03:00:00+00:00", "2026-12-07T15:00:00+00:00"),  # still the 8th in Bogotá
        ("2026-11-25T23:30:00-05:00", "2026-11-25T15:00:00+00:00"),  # Wednesday night
    ],
)
def test_the_test_clock_is_a_colombian_business_morning(wall, frozen):
    instant = contact_hours_instant(datetime.datetime.fromisoformat(wall))
    assert instant == datetime.datetime.fromisoformat(frozen)


def test_us_call_cap_and_cool_down_read_the_logged_calls(creditor, collector):
    debtor = DebtorFactory(creditor=creditor, country="US", region="TX", timezone=DAY_ZONE)
    ContactPointFactory(debtor=debtor, channel="voice", value="+12145550100")
    debt = DebtFactory(creditor=creditor, debtor=debtor, assigned_to=collector, currency="USD")
    now = timezone.now()
    # seven unanswered attempts in the last days (logged directly: as if made then)
    Interaction.objects.bulk_create(
        Interaction(
            debt=debt,
            debtor=debtor,
            collector=collector,
            channel="call",
            outcome="no_answer",
            occurred_at=now - datetime.timedelta(hours=6 * i + 1),
        )
        for i in range(7)
    )
    history = interaction_past_contacts(debtor_id=debtor.pk, since=now - datetime.timedelta(days=8))
    assert {p.kind for p in history} == {"call_attempt"} and len(history) == 7
    decision = contact_check(debt=debt)
    assert not decision.allowed and decision.rule == "US-CALLS"
    with pytest.raises(ApplicationError) as exc:
        log(debt, collector)
    assert "US-CALLS" in exc.value.message


def test_us_conversation_starts_the_cool_down(creditor, collector):
    debtor = DebtorFactory(creditor=creditor, country="US", region="TX", timezone=DAY_ZONE)
    ContactPointFactory(debtor=debtor, channel="voice", value="+12145550101")
    debt = DebtFactory(creditor=creditor, debtor=debtor, assigned_to=collector, currency="USD")
    log(debt, collector, outcome="right_party_contact")
    [past] = interaction_past_contacts(
        debtor_id=debtor.pk, since=timezone.now() - datetime.timedelta(days=1)
    )
    assert past.kind == "conversation" and past.channel == "voice"
    decision = contact_check(debt=debt)
    assert not decision.allowed and decision.rule == "US-COOLDOWN"


def test_a_collector_cannot_log_on_a_debt_not_theirs(debt, other_collector):
    with pytest.raises(ApplicationError):
        log(debt, other_collector)


def test_assignment_plan_balances_by_count_and_by_balance(collector, other_collector):
    debts = [
        (1, "COP", Decimal("900")),
        (2, "COP", Decimal("100")),
        (3, "COP", Decimal("100")),
        (4, "COP", Decimal("700")),
    ]
    by_count = assignment_plan(debts=debts, collectors=[collector, other_collector], mode="count")
    assert sorted(len(v) for v in by_count.values()) == [2, 2]
    by_balance = assignment_plan(
        debts=debts, collectors=[collector, other_collector], mode="balance"
    )
    balances = {i: b for i, _c, b in debts}
    totals = sorted(sum(balances[i] for i in ids) for ids in by_balance.values())
    assert totals == [Decimal("900"), Decimal("900")]


def test_assignment_plan_by_balance_evens_out_each_currency_on_its_own(collector, other_collector):
    # Given a big peso debt and two small dollar debts: added together, the dollars would all
    # go to whoever did not get the pesos.
    debts = [
        (1, "COP", Decimal("5000000")),
        (2, "COP", Decimal("4000000")),
        (3, "USD", Decimal("300")),
        (4, "USD", Decimal("200")),
    ]
    plan = assignment_plan(debts=debts, collectors=[collector, other_collector], mode="balance")
    # Then each collector gets one debt of each currency.
    currency = {i: c for i, c, _b in debts}
    assert sorted(sorted(currency[i] for i in ids) for ids in plan.values()) == [
        ["COP", "USD"],
        ["COP", "USD"],
    ]


def test_assignment_preview_totals_each_currency_apart(collector, other_collector):
    from collections_app.selectors.workspace import assignment_preview

    debts = [(1, "COP", Decimal("1000")), (2, "MXN", Decimal("50")), (3, "COP", Decimal("20"))]
    rows = assignment_preview(
        plan={collector.pk: [1, 2, 3], other_collector.pk: []},
        debts=debts,
        collectors=[collector, other_collector],
    )
    assert rows[0]["count"] == 3
    assert rows[0]["balances"] == [("COP", Decimal("1020")), ("MXN", Decimal("50"))]
    assert rows[1] == {"collector": other_collector, "count": 0, "balances": []}


def test_bulk_assignment_moves_debts_and_records_history(
    creditor, manager, collector, other_collector
):
    debts = DebtFactory.create_batch(4, creditor=creditor)
    plan = assignment_plan(
        debts=[(d.pk, d.currency, d.balance) for d in debts],
        collectors=[collector, other_collector],
        mode="count",
    )
    assert debts_assign(user=manager, plan=plan, reason="Campaña", expected=4) == 4
    assert Debt.objects.filter(assigned_to=collector).count() == 2
    assert Assignment.objects.filter(assigned_by=manager, reason="Campaña").count() == 4
    # a stale confirmation changes nothing
    with pytest.raises(ApplicationError):
        debts_assign(user=manager, plan={collector.pk: [d.pk for d in debts]}, expected=3)
    assert Debt.objects.filter(assigned_to=collector).count() == 2
    # collectors may not assign
    with pytest.raises(ApplicationError):
        debts_assign(user=collector, plan=plan)


def test_legal_request_is_a_task_once_a_day(creditor, collector):
    debt = DebtFactory(creditor=creditor, assigned_to=collector, stage=Stage.PRE_LEGAL)
    task = legal_request(user=collector, debt=debt, reason="No responde", as_of=business_today())
    assert task.kind == "legal_review"
    with pytest.raises(ApplicationError):
        legal_request(user=collector, debt=debt, reason="Otra vez", as_of=business_today())
