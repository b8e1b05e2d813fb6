"""A hand-built portfolio split between a champion (A) and a challenger (B), with known answers.

Business dates: the experiment starts on DAY (2026-03-02); results are read on AS_OF (DAY+30).

Champion A (4 debtors):
- a1: friendly reminder → current DAY+10; pays 100,000 COP DAY+10 (and 7,000 before
  assignment); a promise kept; a complaint before assignment.
- a2: two debts in friendly reminder: one paid DAY+5 (50,000 COP), the other still past due;
  a promise broken.
- a3: friendly reminder, never cured; a promise kept made before assignment; a consent
  revocation before assignment.
- a4: current at assignment (not delinquent).
- 2 messages sent with arm A.

Challenger B (4 debtors):
- b1: friendly reminder → paid DAY+3 (200,000 COP); a promise kept.
- b2: firm notice → current DAY+20; pays 30,000 + 20,000 COP DAY+20; a promise kept; a
  complaint DAY+12.
- b3: friendly reminder → current DAY+40 (after AS_OF); pays 10,000 DAY+40 (after); a promise
  broken DAY+35 (after); opts out of e-mail DAY+6.
- b4: pre-legal, never cured, and a USD debt paying 15.00 USD DAY+7; a pending promise.
- Messages with arm B: 2 sent, 1 suppressed, 1 planned, and one planned for after AS_OF.

Expected on AS_OF: A accounts 4, delinquent 3, cured 1; COP 150,000 from 2 payers in 2 payments;
promises made 2, kept 1, broken 1; complaints 0; opt-outs 0; messages 2, suppressed 0, sent 2.
B accounts 4, delinquent 4, cured 2; COP 250,000 from 2 payers in 3 payments, USD 15.00 from 1;
promises made 4, kept 2, broken 0; complaints 1; opt-outs 1; messages 4, suppressed 1, sent 2.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from agreements.models import PromiseToPay
from complaints.models import Complaint
from experiments.models import Assignment
from portfolio.models import ConsentEvent, Debt, Stage, StageChange
from tests.factories.experiments import make_experiment
from tests.factories.messaging import make_message
from tests.factories.portfolio import (
    ContactPointFactory,
    DebtFactory,
    DebtorFactory,
    PaymentFactory,
)

DAY = datetime.date(2026, 3, 2)
AS_OF = DAY + datetime.timedelta(days=30)
BOGOTA = ZoneInfo("America/Bogota")


def on(days: int, hour: int = 12) -> datetime.datetime:
    day = DAY + datetime.timedelta(days=days)
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=BOGOTA)


def date(days: int) -> datetime.date:
    return DAY + datetime.timedelta(days=days)


def _move(debt, to_stage, days):
    StageChange.objects.create(
        debt=debt,
        from_stage=debt.stage,
        to_stage=to_stage,
        transition="test",
        business_date=date(days),
        occurred_at=on(days),
    )
    Debt.objects.filter(pk=debt.pk).update(stage=to_stage)


def _promise(debt, *, made, status, resolved=None):
    return PromiseToPay.objects.create(
        debt=debt,
        debtor=debt.debtor,
        amount=Decimal("1000.00"),
        currency=debt.currency,
        promised_date=date(made + 3),
        channel="phone",
        status=status,
        made_on=date(made),
        resolved_on=date(resolved) if resolved is not None else None,
    )


def _complaint(debt, days, n):
    return Complaint.objects.create(
        number=f"PQR-T-{n}",
        creditor=debt.creditor,
        debtor=debt.debtor,
        debt=debt,
        kind="complaint",
        channel="phone",
        country="CO",
        subject="Queja",
        description="Me llaman demasiado",
        received_at=on(days),
        received_on=date(days),
        term_code="co_15",
        clock_start_on=date(days + 1),
        due_on=date(days + 20),
    )


def build(*, manager, creditor, **experiment_fields):
    """The experiment and {name: debtor} of the portfolio described above."""
    names = ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"]
    debtors = {name: DebtorFactory(creditor=creditor, full_name=name) for name in names}
    debts = {}
    for name in names:
        stage = {"a4": Stage.CURRENT, "b2": Stage.FIRM_NOTICE, "b4": Stage.PRE_LEGAL}.get(
            name, Stage.FRIENDLY_REMINDER
        )
        debts[name] = DebtFactory(creditor=creditor, debtor=debtors[name], stage=stage)
    debts["a2-2"] = DebtFactory(
        creditor=creditor, debtor=debtors["a2"], stage=Stage.FRIENDLY_REMINDER
    )
    debts["b4-usd"] = DebtFactory(
        creditor=creditor, debtor=debtors["b4"], stage=Stage.CURRENT, currency="USD"
    )
    experiment = make_experiment(user=manager, creditor=creditor, start_on=DAY, **experiment_fields)
    champion, challenger = experiment.arms.order_by("bucket_from")
    # The hash put each debtor somewhere; the test pins them to the arms of the table above.
    for name, debtor in debtors.items():
        arm = champion if name.startswith("a") else challenger
        Assignment.objects.filter(experiment=experiment, debtor=debtor).update(arm=arm)
    assert Assignment.objects.filter(experiment=experiment).count() == 8

    # Stages after assignment.
    _move(debts["a1"], Stage.CURRENT, 10)
    _move(debts["a2"], Stage.PAID, 5)
    _move(debts["b1"], Stage.PAID, 3)
    _move(debts["b2"], Stage.CURRENT, 20)
    _move(debts["b3"], Stage.CURRENT, 40)

    # Payments.
    PaymentFactory(debt=debts["a1"], amount=Decimal("7000.00"), paid_at=on(-5))
    PaymentFactory(debt=debts["a1"], amount=Decimal("100000.00"), paid_at=on(10))
    PaymentFactory(debt=debts["a2"], amount=Decimal("50000.00"), paid_at=on(5))
    PaymentFactory(debt=debts["b1"], amount=Decimal("200000.00"), paid_at=on(3))
    PaymentFactory(debt=debts["b2"], amount=Decimal("30000.00"), paid_at=on(20, 9))
    PaymentFactory(debt=debts["b2"], amount=Decimal("20000.00"), paid_at=on(20, 16))
    PaymentFactory(debt=debts["b3"], amount=Decimal("10000.00"), paid_at=on(40))
    PaymentFactory(debt=debts["b4-usd"], amount=Decimal("15.00"), paid_at=on(7))

    # Promises.
    _promise(debts["a1"], made=1, status=PromiseToPay.Status.KEPT, resolved=10)
    _promise(debts["a2-2"], made=2, status=PromiseToPay.Status.BROKEN, resolved=8)
    _promise(debts["a3"], made=-3, status=PromiseToPay.Status.KEPT, resolved=1)
    _promise(debts["b1"], made=1, status=PromiseToPay.Status.KEPT, resolved=3)
    _promise(debts["b2"], made=4, status=PromiseToPay.Status.KEPT, resolved=20)
    _promise(debts["b3"], made=25, status=PromiseToPay.Status.BROKEN, resolved=35)
    _promise(debts["b4"], made=28, status=PromiseToPay.Status.PENDING)

    # Complaints.
    _complaint(debts["a1"], -10, 1)
    _complaint(debts["b2"], 12, 2)

    # Consent revocations.
    for name, days in (("a3", -2), ("b3", 6)):
        point = ContactPointFactory(debtor=debtors[name])
        ConsentEvent.objects.create(
            contact_point=point, granted=False, occurred_at=on(days), source="opt_out"
        )

    # Messages recorded with each arm.
    def message(name, arm, days, **fields):
        return make_message(
            debt=debts[name], experiment_arm_id=arm.pk, business_date=date(days), **fields
        )

    message("a1", champion, 2, status="sent", sent_at=on(2))
    message("a3", champion, 9, status="delivered", sent_at=on(9))
    message("b1", challenger, 1, status="sent", sent_at=on(1))
    message("b2", challenger, 11, status="delivered", sent_at=on(11))
    message("b3", challenger, 7, status="suppressed", suppression_rule="CO-HOURS")
    message("b4", challenger, 29, status="planned")
    message("b4", challenger, 31, status="planned")
    return experiment, champion, challenger, debtors
