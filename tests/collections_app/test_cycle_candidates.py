"""The cycle decides only the debts its SQL selection picks: the same outcome as deciding all.

Every business date of a varied portfolio (three creditors, product and segment policies with
their own thresholds, grace and cadence, a policy edit, holds, agreements, a promise, payments,
a cure, a write-off, debts already on legal) runs twice from the same state: deciding every
open debt (`evaluate_all`, rolled back) and deciding only the selected candidates. Stages,
stage-change rows, contact actions, messages and the run's counts must be equal; a rerun of
the date must change nothing; and on most days the selection must be a small part of the book.
"""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count

from agreements.services.lifecycle import agreement_cancel, agreement_create
from agreements.services.promises import promise_create
from analytics.models import DebtSegment, SegmentDefinition
from collections_app.models import CycleRun, CycleRunCreditor, EscalationPolicy
from collections_app.services.cycle import cycle_run_date
from collections_app.services.payments import payment_record
from collections_app.services.policies import (
    policy_create,
    policy_ensure_defaults,
    policy_update,
)
from collections_app.services.transitions import debt_transition
from messaging.models import ContactAction, Message
from portfolio.models import Debt, Hold, Stage, StageChange
from portfolio.services.holds import hold_close, hold_open
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = pytest.mark.django_db

DAY0 = datetime.date(2026, 3, 1)
DAYS = 26
# A product code of digits too: read through CSV it must stay the text its policy names.
PRODUCTS = ("credit_card", "personal_loan", "auto_loan", "2024")

# Creditor B's own ladder: grace days, other thresholds, every trigger kind, a legal cadence.
B_CADENCE = {
    "current": [
        {"days_before_due": [1, 5], "channels": ["sms"], "template": "pre_due_reminder"},
        {"dpd": [0], "channels": ["email"], "template": "pre_due_reminder"},
    ],
    "friendly_reminder": [
        {"on_entry": True, "channels": ["email"], "template": "friendly"},
        {"every_days": 3, "channels": ["sms", "whatsapp"], "template": "friendly"},
    ],
    "firm_notice": [
        {"dpd": [22, 30, 41], "channels": ["letter"], "template": "firm_notice"},
        {"every_days": 5, "channels": ["voice"], "template": "firm_call"},
    ],
    "pre_legal": [{"on_entry": True, "channels": ["email"], "template": "pre_legal_notice"}],
    "legal": [{"every_days": 10, "channels": ["letter"], "template": "pre_legal_notice"}],
}


def day(n: int) -> datetime.date:
    return DAY0 + datetime.timedelta(days=n)


class _Undo(Exception):
    pass


def outcome(business_date: datetime.date) -> dict:
    """What a cycle run leaves for its date (without generated ids and clock times)."""
    run = CycleRun.objects.get(business_date=business_date)
    return {
        "debts": list(Debt.objects.order_by("pk").values_list("pk", "stage", "stage_entered_on")),
        "changes": sorted(
            StageChange.objects.filter(business_date=business_date).values_list(
                "debt_id",
                "from_stage",
                "to_stage",
                "transition",
                "policy_version_id",
                "reason_code",
                "actor_id",
            )  # fmt: skip
        ),
        "actions": sorted(
            ContactAction.objects.filter(business_date=business_date).values_list(
                "debt_id", "template_code", "channel", "stage", "status", "policy_version_id"
            )
        ),
        "messages": sorted(
            Message.objects.filter(business_date=business_date).values_list(
                "idempotency_key",
                "channel",
                "template",
                "stage",
                "status",
                "planned_for",
                "suppression_code",
            )  # fmt: skip
        ),
        "run": (
            run.status,
            run.debts_evaluated,
            run.debts_moved,
            run.debts_held,
            run.actions_planned,
        ),
        "by_creditor": sorted(
            CycleRunCreditor.objects.filter(run=run).values_list(
                "creditor_id", "debts_evaluated", "debts_moved", "debts_held", "actions_planned"
            )
        ),
    }


def run_both_ways(business_date: datetime.date) -> tuple[int, int, dict]:
    """Run the date deciding every open debt (undone), then the selection, and compare.
    Returns the debts each way decided and the outcome."""
    try:
        with transaction.atomic():
            full = cycle_run_date(business_date=business_date, evaluate_all=True)
            reference = outcome(business_date)
            raise _Undo
    except _Undo:
        pass
    selected = cycle_run_date(business_date=business_date)
    assert outcome(business_date) == reference, business_date
    return full.decided, selected.decided, reference


def day_both_ways(business_date: datetime.date) -> tuple[int, int, int]:
    """The date both ways, then its rerun both ways: the rerun changes no stage, record,
    action or message (its counts are a rerun's, the same both ways). Returns the debts
    decided by the full evaluation, the selection, and the selection on the rerun."""
    full, selected, first = run_both_ways(business_date)
    _full, rerun, again = run_both_ways(business_date)
    unchanged = ("debts", "changes", "actions", "messages")
    assert {k: again[k] for k in unchanged} == {k: first[k] for k in unchanged}, business_date
    return full, selected, rerun


@pytest.fixture
def book():
    """Three creditors with their policies, ~110 debts (several per debtor), contact points."""
    rng = random.Random(17)
    collector = CollectorFactory(username="sim-collector")
    creditors = [CreditorFactory(code=f"sim-{name}") for name in "abc"]
    a, b, c = creditors
    manager = ManagerFactory(username="sim-manager", creditors=creditors)
    policy_ensure_defaults()
    default_b = EscalationPolicy.objects.get(creditor=b, product="", segment="")
    policy_update(
        policy=default_b,
        values={
            "friendly_dpd": 3,
            "firm_dpd": 20,
            "pre_legal_dpd": 40,
            "legal_dpd": 91,
            "grace_days": 2,
            "cadence": B_CADENCE,
        },
        note="B's ladder",
    )
    policy_create(
        creditor=b,
        name="Loans",
        product="personal_loan",
        values={"friendly_dpd": 1, "firm_dpd": 10, "pre_legal_dpd": 30, "legal_dpd": 60},
    )
    policy_create(
        creditor=b,
        name="Product 2024",
        product="2024",
        values={"friendly_dpd": 3, "firm_dpd": 6, "pre_legal_dpd": 9, "legal_dpd": 90},
    )
    high = SegmentDefinition.objects.create(creditor=c, code="high", name="High", priority=1)
    low = SegmentDefinition.objects.create(creditor=c, code="low", name="Low", priority=2)
    cadence_c = EscalationPolicy.objects.get(creditor=c, segment="").current_version.cadence
    cadence_c["friendly_reminder"].append(
        {"every_days": 2, "channels": ["sms"], "template": "friendly"}
    )
    policy_create(
        creditor=c,
        name="High risk",
        segment="high",
        values={"friendly_dpd": 1, "firm_dpd": 8, "pre_legal_dpd": 25, "cadence": cadence_c},
    )
    policy_create(  # a high-risk loan: the segment's policy wins over the product's
        creditor=c,
        name="Loans",
        product="personal_loan",
        values={"friendly_dpd": 4, "firm_dpd": 18, "pre_legal_dpd": 50, "grace_days": 3},
    )
    policy_create(
        creditor=c,
        name="High risk cars",
        product="auto_loan",
        segment="high",
        values={"friendly_dpd": 2, "firm_dpd": 12, "pre_legal_dpd": 35, "grace_days": 1},
    )
    debts = {creditor.code: [] for creditor in creditors}
    for creditor in creditors:
        while len(debts[creditor.code]) < 36:
            first = None
            for _ in range(rng.randint(1, 3)):
                extra = {} if first is None else {"debtor": first.debtor}
                if rng.random() < 0.07:
                    extra.update(principal=Decimal(0), interest=Decimal(0), fees=Decimal(0))
                start = rng.random()
                if start < 0.1:  # imported mid-ladder, entry date unknown or known
                    extra.update(
                        stage=Stage.FIRM_NOTICE,
                        stage_entered_on=rng.choice([None, day(-rng.randint(0, 30))]),
                    )
                elif start < 0.16:
                    extra.update(stage=Stage.LEGAL, stage_entered_on=day(-rng.randint(1, 40)))
                debt = DebtFactory(
                    creditor=creditor,
                    assigned_to=collector,
                    product=rng.choice(PRODUCTS),
                    due_date=day(rng.randint(-130, 25)),
                    **extra,
                )
                first = first or debt
                debts[creditor.code].append(debt)
            for channel in rng.sample(["email", "sms", "whatsapp"], rng.randint(0, 2)):
                ContactPointFactory(
                    debtor=first.debtor,
                    channel=channel,
                    value=f"+57300{first.pk:07d}" if channel != "email" else f"d{first.pk}@x.co",
                )
    for index, debt in enumerate(debts[c.code]):
        if index % 3 != 2:
            DebtSegment.objects.create(
                debt=debt, segment=high if index % 3 == 0 else low, assigned_on=DAY0
            )
    return {
        "rng": rng,
        "collector": collector,
        "manager": manager,
        "creditors": creditors,
        "debts": debts,
        "segments": (high, low),
    }


def past_due(debts, *, at_least=1):
    """Open debts with a balance, at least `at_least` days past due on day 0, in id order."""
    ids = [d.pk for d in debts]
    return list(
        Debt.objects.filter(
            pk__in=ids,
            stage__in=[Stage.CURRENT, Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE, Stage.PRE_LEGAL],
            balance__gt=0,
            due_date__lte=day(-at_least),
        ).order_by("pk")
    )


def test_candidate_selection_decides_like_the_full_evaluation_every_day(book):
    a, b, c = book["creditors"]
    collector, manager = book["collector"], book["manager"]
    debts = book["debts"]
    high, low = book["segments"]
    state = {}

    def events(n: int) -> None:
        today = day(n)
        if n == 2:  # a dispute on one debt, a debtor-wide hold on a debtor with several
            state["dispute"] = hold_open(
                debt=past_due(debts[a.code], at_least=20)[0],
                kind=Hold.Kind.DISPUTE,
                reason="Never received",
                source="collector",
            )
            debtor_id = (
                Debt.objects.filter(pk__in=[d.pk for d in debts[b.code]], balance__gt=0)
                .values("debtor_id")
                .annotate(n=Count("id"))
                .filter(n__gt=1)
                .order_by("debtor_id")
                .values_list("debtor_id", flat=True)
                .first()
            )
            hold_open(
                debt=Debt.objects.filter(debtor_id=debtor_id).first(),
                kind=Hold.Kind.DECEASED,
                reason="Certificate",
                source="collector",
            )
        if n == 4:  # a promise that will not be kept
            promise_create(
                user=collector,
                debt=past_due(debts[c.code], at_least=5)[0],
                amount="5000",
                promised_date=day(6),
                channel="phone",
                as_of=today,
            )
        if n == 5:  # an agreement that breaks (nothing paid) and one that stays active
            for debt, first_due in (
                (past_due(debts[a.code], at_least=30)[1], day(8)),
                (past_due(debts[b.code], at_least=10)[0], day(60)),
            ):
                agreement_create(
                    user=collector,
                    debt_ids=[debt.pk],
                    as_of=today,
                    kind="instalment_plan",
                    instalment_count=2,
                    frequency="monthly",
                    first_due_date=first_due,
                    down_payment=(debt.balance * Decimal("0.15")).quantize(Decimal("0.01")),
                    channel="phone",
                    grace_days=0,
                )
        if n == 5:  # an agreement on a debt early in firm notice, cancelled two days later
            debt = (
                Debt.objects.filter(
                    creditor=a, stage=Stage.FIRM_NOTICE, due_date__range=(day(-19), day(-13))
                )
                .exclude(pk=state["dispute"].debt_id)
                .order_by("pk")
                .first()
            )
            state["cancelled"] = agreement_create(
                user=collector,
                debt_ids=[debt.pk],
                as_of=today,
                kind="instalment_plan",
                instalment_count=2,
                frequency="monthly",
                first_due_date=day(30),
                down_payment=(debt.balance * Decimal("0.15")).quantize(Decimal("0.01")),
                channel="phone",
            )
        if n == 7:  # back on firm notice today: its on-entry actions, with no move
            agreement_cancel(
                agreement=state["cancelled"], user=manager, as_of=today, reason="Withdrawn"
            )
        if n == 6:  # a payment in full, a partial payment, a zero balance from the file
            full, partial, zeroed = past_due(debts[c.code], at_least=2)[1:4]
            for debt, amount, ref in ((full, full.balance, "P1"), (partial, Decimal(1000), "P2")):
                payment_record(
                    creditor=debt.creditor,
                    debt=debt,
                    amount=amount,
                    currency=debt.currency,
                    paid_at=datetime.datetime.combine(today, datetime.time(9), datetime.UTC),
                    method="pse",
                    reference=f"SIM-{ref}",
                    source="api",
                )
            Debt.objects.filter(pk=zeroed.pk).update(principal=0, interest=0, fees=0, balance=0)
        if n == 8:
            hold_close(
                hold=state["dispute"], user=manager, outcome=Hold.Outcome.REJECTED, note="ok"
            )
        if n == 10:  # the default ladder of A tightens and its cadence changes
            policy = EscalationPolicy.objects.get(creditor=a, product="", segment="")
            cadence = policy.current_version.cadence
            cadence["friendly_reminder"].append(
                {"every_days": 4, "channels": ["email"], "template": "friendly"}
            )
            policy_update(policy=policy, values={"firm_dpd": 12, "cadence": cadence})
        if n == 12:  # a cure (due date moved forward) and a debt suddenly far past due
            cured, jumped = past_due(debts[b.code], at_least=25)[1:3]
            Debt.objects.filter(pk=cured.pk).update(due_date=day(40))
            Debt.objects.filter(pk=jumped.pk).update(due_date=day(-200))
        if n == 14:  # a manager writes a debt off
            debt_transition(
                debt=past_due(debts[a.code], at_least=40)[-1],
                transition_name="write_off",
                user=manager,
                as_of=today,
                reason="Uncollectable",
                write_off_reason="uncollectible",
            )
        if n == 16:  # segmentation moves debts between segments (policies change with them)
            states = list(DebtSegment.objects.filter(debt__creditor=c).order_by("debt_id"))
            DebtSegment.objects.filter(pk=states[0].pk).update(segment=low)
            DebtSegment.objects.filter(pk=states[1].pk).update(segment=high)
            DebtSegment.objects.filter(pk=states[2].pk).delete()
        if n == 19:  # the high-risk policy is switched off
            EscalationPolicy.objects.filter(creditor=c, segment="high", product="").update(
                is_active=False
            )

    # debts decided after the first day: every open one, the selection; reruns (every day)
    decided_full, decided_selected, decided_rerun, decided_first = 0, 0, 0, 0
    for n in range(DAYS):
        events(n)
        full, selected, rerun = day_both_ways(day(n))
        if n > 0:
            decided_full += full
            decided_selected += selected
        else:
            decided_first = selected
        decided_rerun += rerun
    # the book did things: moves, actions of every trigger kind, held and frozen debts
    assert StageChange.objects.filter(cycle_run_id__isnull=False).count() > 50
    templates = set(ContactAction.objects.values_list("template_code", flat=True))
    assert {"pre_due_reminder", "friendly", "firm_notice", "firm_weekly"} <= templates
    assert CycleRun.objects.filter(debts_held__gt=0).count() >= DAYS - 3
    returns = StageChange.objects.filter(transition="return_from_agreement")
    assert returns.filter(cycle_run_id__isnull=False).exists()  # broken
    assert returns.filter(business_date=day(7), cycle_run_id__isnull=True).exists()  # cancelled
    assert ContactAction.objects.filter(
        debt_id=state["cancelled"].lines.get().debt_id,
        business_date=day(7),
        template_code="firm_notice",
    ).exists()
    assert StageChange.objects.filter(transition="cure").exists()
    assert StageChange.objects.filter(transition="mark_paid", cycle_run_id__isnull=False).exists()
    # and after the first day the selection decided a small part of the open debts, and a
    # rerun less again (only held debts a move waits for; every action is already stored)
    assert decided_selected * 4 < decided_full, (decided_selected, decided_full)
    assert decided_rerun * 4 < decided_first + decided_selected, decided_rerun


def test_a_book_mostly_new_to_the_cycle_is_decided_whole_then_by_selection():
    """The selection's result equals the full load's (the test above); which one a day takes
    is a matter of speed: the full load when most of the book is new to the cycle."""
    # given a new installation's book: ten debts due in a hundred days (nothing moves and
    # no reminder is due for weeks) and one already 40 days past due
    policy_ensure_defaults()
    creditor = CreditorFactory()
    quiet = [
        DebtFactory(creditor=creditor, due_date=DAY0 + datetime.timedelta(days=100))
        for _ in range(10)
    ]
    late = DebtFactory(creditor=creditor, due_date=DAY0 - datetime.timedelta(days=40))

    # when its first cycle runs, then the next day's
    first = cycle_run_date(business_date=DAY0)
    second = cycle_run_date(business_date=DAY0 + datetime.timedelta(days=1))

    # then the first decided every open debt (the full load) and moved the late one
    assert first.decided == 11
    assert first.run.debts_evaluated == 11
    late.refresh_from_db()
    assert late.stage != Stage.CURRENT
    # and the next day decided only what its selection kept (none of the quiet debts), while
    # every open debt still counts as evaluated
    assert second.decided < 11
    assert not set(second.moves["id"]) & {debt.pk for debt in quiet}
    assert second.run.debts_evaluated == 11
    # a rerun of the first date is a rerun, not a first cycle: a selection again
    assert cycle_run_date(business_date=DAY0).decided < 11

    # when an import more than doubles the book (25 new debts beside the 11), then the next
    # date's first run decides every open debt again, and the one after a selection
    DebtFactory.create_batch(25, creditor=creditor, due_date=DAY0 + datetime.timedelta(days=100))
    assert cycle_run_date(business_date=DAY0 + datetime.timedelta(days=2)).decided == 36
    assert cycle_run_date(business_date=DAY0 + datetime.timedelta(days=3)).decided < 36
