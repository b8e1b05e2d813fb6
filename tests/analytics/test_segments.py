"""Segmentation: first match wins, one segment per debt, changes only on change, idempotent."""

import datetime
from decimal import Decimal

import pandas as pd
import pytest

from analytics.hooks import debt_segment
from analytics.models import (
    BehaviourScore,
    NightlyRun,
    SegmentChange,
    SegmentDefinition,
    SegmentRule,
)
from analytics.services.engine import assign_segments, behaviour_scores
from analytics.services.rules import CATCH_ALL_CODE
from collections_app.services.cycle import cycle_run_date
from collections_app.services.policies import policy_create, policy_ensure_defaults
from portfolio.models import Debt, Stage
from tests.analytics.helpers import pay, run
from tests.factories.portfolio import DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db


def segment_id(debt):
    segment = debt_segment(debt)
    return segment.pk if segment else None


D = datetime.date
AS_OF = D(2026, 11, 30)


@pytest.fixture
def clean_segments(db):
    """Only the catch-all and the segments a test makes (the defaults would catch debts too)."""
    SegmentDefinition.objects.filter(is_catch_all=False).delete()
    return SegmentDefinition.objects.get(is_catch_all=True)


def _segment(code, priority, creditor=None, **rule):
    segment = SegmentDefinition.objects.create(
        code=code, name=code.title(), priority=priority, creditor=creditor
    )
    SegmentRule.objects.create(segment=segment, position=1, **rule)
    return segment


def _debt(creditor, ref, balance, due, **kw):
    return DebtFactory(
        creditor=creditor,
        debt_ref=ref,
        principal=Decimal(balance),
        interest=0,
        fees=0,
        due_date=due,
        **kw,
    )


def test_defaults_are_seeded_once_and_every_install_has_a_catch_all():
    from analytics.services.rules import segment_ensure_defaults

    assert SegmentDefinition.objects.filter(is_catch_all=True, code=CATCH_ALL_CODE).count() == 1
    codes = set(SegmentDefinition.objects.values_list("code", flat=True))
    assert {"early-small-good", "late-large-broken", "late-large", "general"} <= codes
    SegmentDefinition.objects.filter(code="early").update(name="Temprana (editada)")
    assert segment_ensure_defaults() == 0  # idempotent; the manager's edit survives
    assert SegmentDefinition.objects.get(code="early").name == "Temprana (editada)"


def test_first_matching_rule_wins_and_everything_else_goes_to_the_catch_all(
    creditor, clean_segments
):
    late = _segment("late", 10, aging_buckets=["31-60", "61-90"])
    big = _segment("big", 20, currency="COP", balance_min=Decimal("5000000"))
    late_big = _debt(creditor, "LB", "9000000", D(2026, 10, 1))  # dpd 60, big: "late" first
    big_only = _debt(creditor, "BO", "9000000", D(2026, 11, 20))  # dpd 10
    neither = _debt(creditor, "NN", "100000", D(2026, 11, 20))
    run(AS_OF)
    segments = dict(Debt.objects.values_list("debt_ref", "segment_state__segment_id"))
    assert segments == {
        late_big.debt_ref: late.id,
        big_only.debt_ref: big.id,
        neither.debt_ref: clean_segments.id,
    }
    # Swap the priorities: the same debt now falls in "big".
    SegmentDefinition.objects.filter(pk=big.pk).update(priority=5)
    run(AS_OF + datetime.timedelta(days=1))
    assert segment_id(Debt.objects.get(debt_ref="LB")) == big.id


def test_creditor_segments_apply_only_to_their_creditor(creditor, clean_segments):
    from tests.factories.portfolio import CreditorFactory

    other = CreditorFactory(code="otra")
    mine = _segment("mine", 10, creditor=creditor)
    a = _debt(creditor, "A1", "100000", D(2026, 11, 20))
    b = _debt(other, "B1", "100000", D(2026, 11, 20))
    run(AS_OF)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (segment_id(a), segment_id(b)) == (mine.id, clean_segments.id)


def test_changes_recorded_only_on_change_and_rerun_is_idempotent(creditor, clean_segments):
    early = _segment("early", 10, aging_buckets=["current", "1-30"])
    debt = _debt(creditor, "X", "100000", D(2026, 11, 1))  # dpd 29 on Nov 30
    run(AS_OF)
    debt.refresh_from_db()
    # The first segment is an assignment, not a migration: no change row.
    assert segment_id(debt) == early.id
    assert SegmentChange.objects.count() == 0
    run(AS_OF)  # same date again: nothing new
    assert SegmentChange.objects.count() == 0
    assert NightlyRun.objects.get(as_of=AS_OF).segment_changes == 0
    run(D(2026, 12, 1))  # dpd 30: still 1-30, no change
    assert SegmentChange.objects.count() == 0
    run(D(2026, 12, 2))  # dpd 31: falls out of "early" into the catch-all
    change = SegmentChange.objects.get(as_of=D(2026, 12, 2))
    assert (change.debt_id, change.from_segment_id, change.to_segment_id) == (
        debt.id,
        early.id,
        clean_segments.id,
    )
    # With the debt's cut, as the snapshots have it (the dashboard filters on it).
    assert (change.creditor_id, change.portfolio_id, change.currency) == (
        creditor.id,
        debt.portfolio_id,
        debt.currency,
    )
    run(D(2026, 12, 2))
    assert SegmentChange.objects.count() == 1
    # Back in "early" the next day (due date moved): a second change, the other way.
    Debt.objects.filter(pk=debt.pk).update(due_date=D(2026, 12, 1))
    run(D(2026, 12, 3))
    back = SegmentChange.objects.get(as_of=D(2026, 12, 3))
    assert (back.from_segment_id, back.to_segment_id) == (clean_segments.id, early.id)


def test_segment_filter_and_deleting_a_segment_unsegments_its_debts(creditor, clean_segments):
    from analytics.models import DebtSegment
    from portfolio.filters import DebtFilter

    late = _segment("late", 10, aging_buckets=["31-60", "61-90"])
    old = _debt(creditor, "OLD", "100000", D(2026, 10, 1))  # dpd 60
    new = _debt(creditor, "NEW", "100000", D(2026, 11, 20))  # dpd 10
    run(AS_OF)
    # The drill-down / work queue filter by segment reads the debt's current segment.
    by_segment = DebtFilter({"segment": late.id}, queryset=Debt.objects.all()).qs
    assert list(by_segment.values_list("debt_ref", flat=True)) == ["OLD"]
    assert DebtSegment.objects.get(debt=old).assigned_on == AS_OF
    # Deleting the segment leaves its debts unsegmented, the others keep theirs...
    late.delete()
    old.refresh_from_db()
    new.refresh_from_db()
    assert (debt_segment(old), debt_segment(new)) == (None, clean_segments)
    # ...until the next night puts them in the catch-all (an assignment, not a migration).
    run(AS_OF + datetime.timedelta(days=1))
    old.refresh_from_db()
    assert debt_segment(old) == clean_segments
    assert SegmentChange.objects.count() == 0


def test_exactly_one_segment_per_open_debt(creditor):
    for n in range(12):
        _debt(
            creditor, f"M{n}", str(100000 * (n + 1)), D(2026, 11, 30) - datetime.timedelta(40 * n)
        )
    run(AS_OF)
    open_debts = Debt.objects.filter(stage__in=["current"])
    assert open_debts.count() == 12
    assert not open_debts.filter(segment_state__isnull=True).exists()


def test_payment_behaviour_and_score_rules(creditor, clean_segments):
    good = _segment("good", 10, payment_behaviour="paid_30", score_min=70)
    never = _segment("never", 20, payment_behaviour="never_paid")
    broken = _segment("broken", 5, payment_behaviour="broken_promise")
    payer = _debt(creditor, "P", "1000000", D(2026, 11, 25))
    silent = _debt(creditor, "S", "1000000", D(2026, 11, 25))
    pay(payer, "500000", D(2026, 11, 20), "R1")
    run(AS_OF)
    payer.refresh_from_db()
    silent.refresh_from_db()
    # 50 + recency 20 + share round(20 * 0.5)=10 + dpd(5 days)=0 + frequency 2 = 82.
    assert BehaviourScore.objects.get(debtor=payer.debtor).score == 82
    assert (segment_id(payer), segment_id(silent)) == (good.id, never.id)
    # Neither debt has a broken promise (tests/analytics/test_segments_promises.py has those).
    assert not Debt.objects.filter(segment_state__segment=broken).exists()


def test_behaviour_score_formula_on_a_hand_built_frame():
    frame = pd.DataFrame(
        {
            "debtor_id": [1, 1, 2, 3],
            "dpd": [0.0, 45.0, 200.0, 0.0],
            "balance": [500.0, 500.0, 1000.0, 0.0],
            "paid_amount": [500.0, 0.0, 0.0, 300.0],
            "debtor_days_since_payment": [10.0, 10.0, float("nan"), 60.0],
            "debtor_payments_180": [7, 7, 0, 1],
        }
    )
    scores = behaviour_scores(frame)
    # Debtor 1: 50 + 20 (paid 10 days ago) + round(20 * mean(0.5, 0)) = 5 + dpd 45 → -5
    #           + frequency min(7, 5) * 2 = 10 → 80.
    # Debtor 2: 50 - 10 (never paid) + 0 - 30 (dpd 200) + 0 → 10.
    # Debtor 3: 50 + 10 (60 days) + 20 (all paid) + 10 (current) + 2 → 92.
    assert scores["score"].to_dict() == {1: 80, 2: 10, 3: 92}
    assert scores.loc[1, "reasons"] == "recency=+20;frequency=+10;share=+5"
    assert scores.loc[2, "reasons"] == "dpd=-30;recency=-10"


def test_assign_segments_is_first_match_on_a_frame():
    debts = pd.DataFrame(
        {
            "creditor_id": [1, 1, 2],
            "bucket": ["1-30", "91-180", "1-30"],
            "currency": ["COP"] * 3,
            "balance": [10.0, 10.0, 10.0],
            "product": ["credit_card"] * 3,
            "country": ["CO"] * 3,
            "region": [""] * 3,
            "score": [50, 50, 50],
            "days_since_payment": [float("nan")] * 3,
            "payments_total": [0, 0, 0],
        }
    )
    rules = [
        {"id": 1, "segment_id": 100, "creditor_id": 1, "aging_buckets": ["1-30"]},
        {"id": 2, "segment_id": 200, "creditor_id": None, "aging_buckets": ["1-30", "91-180"]},
    ]
    result = assign_segments(debts, rules, catch_all_id=9)
    assert result["segment_id"].tolist() == [100, 200, 200]
    assert result["rule_id"].tolist() == [1, 2, 2]


def test_the_cycle_applies_a_segment_scoped_policy(creditor, clean_segments):
    # Given a segment "vip" whose policy waits until 20 days past due for the first reminder
    vip = _segment("vip", 10, currency="COP", balance_min=Decimal("5000000"))
    policy_ensure_defaults()
    policy_create(
        creditor=creditor,
        name="VIP",
        segment="vip",
        values={"friendly_dpd": 20, "firm_dpd": 40, "pre_legal_dpd": 60, "legal_dpd": 91},
    )
    big = _debt(creditor, "VIP", "9000000", D(2026, 11, 20))  # dpd 10 on Nov 30
    small = _debt(creditor, "SM", "100000", D(2026, 11, 20))
    run(D(2026, 11, 29))
    big.refresh_from_db()
    assert segment_id(big) == vip.id
    # When the cycle runs, the default policy moves the small debt, the VIP policy not the big.
    cycle_run_date(business_date=AS_OF)
    big.refresh_from_db()
    small.refresh_from_db()
    assert small.stage == Stage.FRIENDLY_REMINDER
    assert big.stage == Stage.CURRENT
    assert big.stage_changes.count() == 0


def test_run_segments_command(creditor, capsys):
    from django.core.management import call_command

    DebtFactory(creditor=creditor, debtor=DebtorFactory(creditor=creditor))
    call_command("run_segments", "--as-of", "2026-11-30")
    assert "1 debts segmented" in capsys.readouterr().out
    assert NightlyRun.objects.get(as_of=AS_OF).status == NightlyRun.Status.COMPLETED


def test_run_segments_refuses_bad_dates():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("run_segments", "--as-of", "2026-11-30", "--collections-from", "2026-12-01")


def test_seed_demo_segments_the_demo_and_gives_segment_policies():
    from django.core.management import call_command

    from analytics.models import AgingSnapshot
    from collections_app.models import EscalationPolicy
    from portfolio.models import OPEN_STAGES

    call_command("seed_demo", "--debtors=60", "--as-of=2026-11-24")
    assert NightlyRun.objects.get(as_of=D(2026, 11, 24)).status == NightlyRun.Status.COMPLETED
    open_debts = Debt.objects.filter(stage__in=OPEN_STAGES)
    assert open_debts.exists() and not open_debts.filter(segment_state__isnull=True).exists()
    assert AgingSnapshot.objects.filter(as_of=D(2026, 11, 24)).exists()
    assert set(
        EscalationPolicy.objects.filter(creditor__code="finzo")
        .exclude(segment="")
        .values_list("segment", flat=True)
    ) == {"early-small-good", "late-large", "late-large-broken"}


def test_beat_runs_the_nightly_job_after_the_cycle(settings, creditor):
    from analytics.tasks import nightly_run_task

    schedule = settings.CELERY_BEAT_SCHEDULE
    nightly, cycle = schedule["nightly-segments"], schedule["daily-cycle"]
    assert nightly["task"] == "analytics.tasks.nightly_run_task"
    assert (min(nightly["schedule"].hour), min(nightly["schedule"].minute)) > (
        min(cycle["schedule"].hour),
        min(cycle["schedule"].minute),
    )
    DebtFactory(creditor=creditor)
    assert nightly_run_task("2026-11-30") == "2026-11-30"
    assert nightly_run_task("2026-11-30") == "2026-11-30"  # twice: still one run, no changes
    assert NightlyRun.objects.get(as_of=AS_OF).segment_changes == 0


def test_dashboard_reports_moves_between_segments(creditor, clean_segments):
    from analytics.forms import KpiFilters
    from analytics.selectors.kpis import kpi_dashboard

    early = _segment("early", 10, aging_buckets=["current", "1-30"])
    _debt(creditor, "X1", "100000", D(2026, 11, 1))
    _debt(creditor, "X2", "100000", D(2026, 11, 2))
    run(AS_OF)  # both early (first assignment: not a move)
    run(D(2026, 12, 3))  # both past 30 days: early → general
    data = kpi_dashboard(
        filters=KpiFilters(
            creditor_ids=(creditor.id,), date_from=D(2026, 12, 1), date_to=D(2026, 12, 31)
        )
    )
    assert [
        (r["from_segment_id"], r["to_segment_id"], r["debts"]) for r in data["segment_migrations"]
    ] == [(early.id, clean_segments.id, 2)]


def test_a_product_code_of_digits_matches_its_rule_when_every_debt_has_it(creditor, clean_segments):
    # Read through CSV, a column of digits alone would be inferred a number (PostgreSQL quotes
    # only what needs quoting), and "0042" come back as "42": the load reads products as text.
    digits = _segment("digits", 1, products=["0042"])
    debts = [
        _debt(creditor, f"D-{n}", "1000", AS_OF - datetime.timedelta(days=40), product="0042")
        for n in range(3)
    ]
    run(AS_OF)
    assert {segment_id(d) for d in debts} == {digits.pk}
