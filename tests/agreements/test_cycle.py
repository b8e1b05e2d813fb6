"""The daily cycle and agreements: frozen ladder, reminders, breaks, promises; idempotent."""

import datetime
from decimal import Decimal

import pytest

from agreements.models import AgreementStatus, Instalment, PromiseToPay
from agreements.services.lifecycle import agreement_create
from agreements.services.promises import promise_create
from collections_app.services.cycle import cycle_run
from collections_app.services.payments import payment_record
from core.exceptions import ApplicationError
from messaging.models import ContactAction
from portfolio.models import Debt, Stage, StageChange, Task
from tests.factories.portfolio import ContactPointFactory, DebtFactory

pytestmark = pytest.mark.django_db

DAY0 = datetime.date(2026, 8, 1)
CADENCE = {"friendly", "firm_notice", "firm_weekly", "firm_call", "pre_legal_notice"}


def day(n: int) -> datetime.date:
    return DAY0 + datetime.timedelta(days=n)


def pay(debt, amount, reference, on):
    at = datetime.datetime.combine(on, datetime.time(15), tzinfo=datetime.UTC)
    payment_record(
        creditor=debt.creditor,
        debt=debt,
        amount=Decimal(amount),
        currency=debt.currency,
        paid_at=at,
        method="pse",
        reference=reference,
        source="api",
    )


@pytest.fixture
def case(creditor, collector):
    debt = DebtFactory(
        creditor=creditor,
        assigned_to=collector,
        due_date=datetime.date(2026, 7, 1),
        stage=Stage.FIRM_NOTICE,
        stage_entered_on=datetime.date(2026, 7, 17),
        principal=Decimal("900000.00"),
        interest=Decimal("0"),
        fees=Decimal("0"),
    )
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+573001234567")
    ContactPointFactory(debtor=debt.debtor, channel="email", consent_granted=False)
    return debt


def test_90_day_simulation_two_paid_one_missed_broken_and_back_on_its_stage(case, collector):
    debt = case
    cycle_run(as_of=day(0))
    # Given an agreement on day 0: 90,000 down on 10 Aug, then 270,000 on 10 Sep, Oct, Nov
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=day(0),
        kind="instalment_plan",
        instalment_count=3,
        frequency="monthly",
        first_due_date=datetime.date(2026, 8, 10),
        down_payment=Decimal("90000.00"),
        channel="phone",
    )
    assert agreement.status == AgreementStatus.ACTIVE
    payments = {
        datetime.date(2026, 8, 9): "90000.00",  # the down payment, a day early
        datetime.date(2026, 9, 12): "270000.00",  # instalment 1, two days late (within grace)
    }
    # When the cycle runs every day for 90 days and the debtor pays twice, then stops
    for n in range(1, 91):
        today = day(n)
        if today in payments:
            pay(debt, payments[today], f"SIM-{n}", today)
        cycle_run(as_of=today)
        agreement.refresh_from_db()
        if today < datetime.date(2026, 10, 16):
            # the ladder stays frozen while the agreement holds
            assert agreement.status == AgreementStatus.ACTIVE, today
            assert Debt.objects.get(pk=debt.pk).stage == Stage.CURRENT

    # Then instalment 2 (due 10 Oct, grace 5) broke the agreement on 16 Oct
    assert agreement.status == AgreementStatus.BROKEN
    assert agreement.ended_on == datetime.date(2026, 10, 16)
    statuses = dict(agreement.instalments.values_list("number", "status"))
    assert statuses == {0: "paid", 1: "paid", 2: "missed", 3: "cancelled"}
    back = StageChange.objects.get(debt=debt, transition="return_from_agreement")
    assert (back.to_stage, back.business_date) == (Stage.FIRM_NOTICE, datetime.date(2026, 10, 16))
    assert back.cycle_run_id is not None
    # the ladder resumed the next day from that stage (by then 108 days past due)
    nxt = StageChange.objects.filter(debt=debt, business_date__gt=back.business_date).first()
    assert (nxt.from_stage, nxt.to_stage) == (Stage.FIRM_NOTICE, Stage.PRE_LEGAL)
    task = Task.objects.get(debt=debt)
    assert (task.kind, task.assigned_to, task.status) == ("broken_agreement", collector, "open")

    actions = ContactAction.objects.filter(debt=debt)
    by_code = {}
    for action in actions:
        by_code.setdefault(action.template_code, set()).add(action.business_date)
    assert by_code["agreement_confirmation"] == {day(0)}
    assert by_code["instalment_reminder"] == {
        datetime.date(2026, 8, 7),
        datetime.date(2026, 9, 7),
        datetime.date(2026, 10, 7),
    }
    assert by_code["missed_instalment"] == {datetime.date(2026, 9, 11), datetime.date(2026, 10, 11)}
    assert by_code["agreement_broken"] == {datetime.date(2026, 10, 16)}
    # consented SMS only (the e-mail has no consent)
    assert set(
        actions.filter(template_code="instalment_reminder").values_list("channel", flat=True)
    ) == {"sms"}
    # no dunning while the agreement was active
    dunning = actions.filter(
        template_code__in=CADENCE, business_date__gt=day(0), business_date__lt=back.business_date
    )
    assert not dunning.exists()

    # And a rerun of the break date changes nothing
    counts = (ContactAction.objects.count(), StageChange.objects.count(), Task.objects.count())
    from collections_app.services.cycle import cycle_run_date

    cycle_run_date(business_date=datetime.date(2026, 10, 30))
    assert counts == (
        ContactAction.objects.count(),
        StageChange.objects.count(),
        Task.objects.count(),
    )


def test_a_rerun_of_the_break_day_is_idempotent(case, collector):
    from collections_app.services.cycle import cycle_run_date

    debt = case
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=day(0),
        kind="instalment_plan",
        instalment_count=1,
        frequency="monthly",
        first_due_date=day(1),
        channel="phone",
        grace_days=0,
    )
    cycle_run_date(business_date=day(2))
    snapshot = (
        Debt.objects.get(pk=debt.pk).stage,
        StageChange.objects.count(),
        Task.objects.count(),
        ContactAction.objects.count(),
    )
    cycle_run_date(business_date=day(2))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.BROKEN
    assert snapshot[0] == Stage.FIRM_NOTICE
    assert snapshot == (
        Debt.objects.get(pk=debt.pk).stage,
        StageChange.objects.count(),
        Task.objects.count(),
        ContactAction.objects.count(),
    )
    assert Instalment.objects.get(agreement=agreement).status == "missed"


def test_promises_kept_and_broken(case, collector, creditor):
    debt = case
    other = DebtFactory(
        creditor=creditor, assigned_to=collector, due_date=datetime.date(2026, 7, 1)
    )
    kept = promise_create(
        user=collector,
        debt=debt,
        amount="100000.00",
        promised_date=day(3),
        channel="phone",
        as_of=day(0),
    )
    broken = promise_create(
        user=collector,
        debt=other,
        amount="5000",
        promised_date=day(3),
        channel="phone",
        as_of=day(0),
    )
    with pytest.raises(ApplicationError):  # one pending promise per debt
        promise_create(
            user=collector,
            debt=debt,
            amount="1",
            promised_date=day(3),
            channel="phone",
            as_of=day(0),
        )
    pay(debt, "60000.00", "PR-1", day(2))
    pay(debt, "40000.00", "PR-2", day(4))  # within the 2 grace days
    pay(other, "1000.00", "PR-3", day(3))  # not enough
    for n in range(0, 7):
        cycle_run(as_of=day(n))

    kept.refresh_from_db()
    broken.refresh_from_db()
    assert (kept.status, kept.paid_amount, kept.resolved_on) == (
        "kept",
        Decimal("100000.00"),
        day(5),
    )
    assert (broken.status, broken.resolved_on) == ("broken", day(6))
    assert Task.objects.get(kind="broken_promise").debt == other
    from agreements.selectors import debtor_promise_counts

    assert debtor_promise_counts(debtor_id=other.debtor_id)["broken"] == 1


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "99999999.00"}, "amount"),
        ({"promised_date": datetime.date(2026, 7, 31)}, "promised_date"),
        ({"promised_date": datetime.date(2026, 12, 31)}, "promised_date"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_promises_are_refused(case, collector, overrides, field):
    values = {"amount": "1000", "promised_date": day(3), "channel": "phone"}
    values.update(overrides)
    with pytest.raises(ApplicationError) as exc:
        promise_create(user=collector, debt=case, as_of=day(0), **values)
    assert exc.value.field == field
    assert not PromiseToPay.objects.exists()
