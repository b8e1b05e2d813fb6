"""Segmentation and the score against real promises and agreements (issue #5 tables)."""

import datetime
from decimal import Decimal

import pandas as pd
import pytest

from agreements.models import AgreementDebt, PaymentAgreement, PromiseToPay
from analytics.models import BehaviourScore, SegmentDefinition, SegmentRule
from analytics.services.engine import behaviour_scores
from portfolio.models import Debt
from tests.analytics.helpers import run
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db

D = datetime.date
AS_OF = D(2026, 11, 30)
NOV_10, NOV_13, NOV_20 = D(2026, 11, 10), D(2026, 11, 13), D(2026, 11, 20)


def _debt(creditor, ref, balance, due, currency="COP"):
    return DebtFactory(
        creditor=creditor,
        debt_ref=ref,
        currency=currency,
        principal=Decimal(balance),
        interest=0,
        fees=0,
        due_date=due,
    )


def _promise(debt, status, *, due=NOV_10, resolved=NOV_13):
    return PromiseToPay.objects.create(
        debt=debt,
        debtor=debt.debtor,
        amount=Decimal("1000"),
        currency=debt.currency,
        promised_date=due,
        grace_days=2,
        channel="phone",
        status=status,
        made_on=D(2026, 11, 1),
        resolved_on=resolved if status in ("kept", "broken") else None,
    )


def _broken_agreement(debt, ended_on=NOV_20):
    agreement = PaymentAgreement.objects.create(
        creditor=debt.creditor,
        debtor=debt.debtor,
        kind="instalment_plan",
        currency=debt.currency,
        balance_at_start=debt.balance,
        discount_amount=0,
        discount_pct=0,
        agreed_total=debt.balance,
        instalment_count=2,
        frequency="monthly",
        first_due_date=D(2026, 10, 1),
        channel="phone",
        proposed_on=D(2026, 9, 25),
    )
    PaymentAgreement.objects.filter(pk=agreement.pk).update(
        status="broken", activated_on=D(2026, 9, 25), ended_on=ended_on
    )
    AgreementDebt.objects.create(
        agreement=agreement,
        debt=debt,
        stage_at_start="friendly_reminder",
        balance_at_start=debt.balance,
        share=debt.balance,
        is_open=False,
    )


def test_broken_promise_and_broken_agreement_conditions(creditor):
    SegmentDefinition.objects.filter(is_catch_all=False).delete()
    seg_promise = SegmentDefinition.objects.create(code="bp", name="BP", priority=1)
    SegmentRule.objects.create(segment=seg_promise, position=1, payment_behaviour="broken_promise")
    seg_agreement = SegmentDefinition.objects.create(code="ba", name="BA", priority=2)
    SegmentRule.objects.create(
        segment=seg_agreement, position=1, payment_behaviour="broken_agreement"
    )
    broke = _debt(creditor, "X", "500000", D(2026, 11, 1))
    kept = _debt(creditor, "K", "500000", D(2026, 11, 1))
    planned = _debt(creditor, "P", "500000", D(2026, 11, 1))
    in_agreement = _debt(creditor, "G", "500000", D(2026, 11, 1))
    later = _debt(creditor, "L", "500000", D(2026, 11, 1))
    _promise(broke, "broken")
    _promise(kept, "kept")
    _promise(planned, "pending", due=D(2026, 12, 5))
    _broken_agreement(in_agreement)
    _broken_agreement(later, ended_on=D(2026, 12, 1))  # after the business date: not yet
    run(AS_OF)
    segment_of = dict(Debt.objects.values_list("debt_ref", "segment_state__segment__code"))
    assert segment_of == {"X": "bp", "K": "general", "P": "general", "G": "ba", "L": "general"}


def test_default_late_large_broken_segment_now_catches_debts(creditor):
    large = _debt(creditor, "BIG", "15000000", D(2026, 7, 1))  # 152 days late
    no_promise = _debt(creditor, "BIG2", "15000000", D(2026, 7, 1))
    _promise(large, "broken")
    run(AS_OF)
    segment_of = dict(Debt.objects.values_list("debt_ref", "segment_state__segment__code"))
    assert segment_of == {"BIG": "late-large-broken", "BIG2": "late-large"}
    assert large.pk != no_promise.pk


def test_score_promise_component_from_kept_and_broken_promises(creditor):
    debt = _debt(creditor, "S", "1000000", D(2026, 11, 30))  # current, never paid
    _promise(debt, "broken", due=D(2026, 10, 10), resolved=D(2026, 10, 13))
    _promise(debt, "kept", due=D(2026, 11, 5), resolved=D(2026, 11, 6))
    _promise(debt, "kept", due=D(2026, 11, 15), resolved=D(2026, 11, 16))
    _promise(debt, "pending", due=D(2026, 12, 5))
    run(AS_OF)
    # 50 - 10 (never paid) + 0 (share) + 10 (current) + 0 + round(15 * (2 - 1) / 4) = 4 → 54.
    score = BehaviourScore.objects.get(debtor=debt.debtor)
    assert score.score == 54
    assert "promises=+4" in score.reasons


def test_score_promise_component_on_a_frame_rounds_half_away_from_zero():
    frame = pd.DataFrame(
        {
            "debtor_id": [1, 2, 3],
            "dpd": [10.0, 10.0, 10.0],
            "balance": [100.0, 100.0, 100.0],
            "paid_amount": [0.0, 0.0, 0.0],
            "debtor_days_since_payment": [200.0, 200.0, 200.0],
            "debtor_payments_180": [0, 0, 0],
            "debtor_promises": [2, 2, 0],
            "debtor_kept": [1, 0, 0],
            "debtor_broken": [0, 1, 0],
        }
    )
    scores = behaviour_scores(frame)
    # 50 + 0 (paid 200 days ago) + 0 + 0 (1-30 days) ± round(15 * 1/2 = 7.5) = 8; no promises: 0.
    assert scores["score"].to_dict() == {1: 58, 2: 42, 3: 50}
    assert scores.loc[2, "reasons"] == "promises=-8"
