"""The calculator: the sample size of two proportions against a published worked example, and
the days a segment takes to supply it."""

import datetime

import pytest
from django.utils import timezone

from analytics.models import DebtSegment, SegmentDefinition
from core.exceptions import ApplicationError
from experiments.services.calculator import (
    days_to_supply,
    sample_size_exact,
    sample_size_per_arm,
)
from portfolio.models import Debt, Stage
from tests.factories.portfolio import CreditorFactory, DebtFactory

AS_OF = datetime.date(2026, 3, 2)


def test_zar_example_24_26_with_fleiss_correction():
    # Zar, J. H. (1999) Biostatistical Analysis, 4th ed., Example 24.26, p. 561: p1 = 0.45,
    # p2 = 0.25, two-sided α 0.05, power 0.90, equal groups: n = 127.2343 per group (the
    # formula with Fleiss's continuity correction; reproduced in UNISTAT's manual, 6.7.6.1).
    n = sample_size_exact(
        baseline_pct=25, lift_pct=20, alpha=0.05, power=0.90, continuity_correction=True
    )
    assert n == pytest.approx(127.2343, abs=1e-3)
    # Without the correction (what the strategist's calculator rounds up): 117.43.
    uncorrected = sample_size_exact(baseline_pct=25, lift_pct=20, alpha=0.05, power=0.90)
    assert uncorrected == pytest.approx(117.43, abs=0.01)
    assert sample_size_per_arm(baseline_pct=25, lift_pct=20, power=0.9) == 118


def test_ten_to_fifteen_percent_at_power_080():
    # p1 0.10, p2 0.15, α 0.05, power 0.8: 685.6 by the same formula, so 686 accounts per arm.
    assert sample_size_per_arm(baseline_pct=10, lift_pct=5) == 686


def test_smaller_lift_needs_more_accounts():
    assert sample_size_per_arm(baseline_pct=10, lift_pct=2) > sample_size_per_arm(
        baseline_pct=10, lift_pct=5
    )


@pytest.mark.parametrize(
    "baseline, lift, field",
    [
        (0, 5, "baseline_pct"),
        (100, 5, "baseline_pct"),
        (10, 0, "lift_pct"),
        (60, 40, "lift_pct"),
        ("x", 5, "baseline_pct"),
        (10, "nan", "lift_pct"),
    ],
)
def test_bad_input_names_its_field(baseline, lift, field):
    with pytest.raises(ApplicationError) as exc:
        sample_size_per_arm(baseline_pct=baseline, lift_pct=lift)
    assert exc.value.field == field


def _debt(creditor, *, created_days_ago: int, stage=Stage.FRIENDLY_REMINDER):
    debt = DebtFactory(creditor=creditor, stage=stage)
    created = timezone.make_aware(
        datetime.datetime.combine(
            AS_OF - datetime.timedelta(days=created_days_ago), datetime.time(12)
        )
    )
    Debt.objects.filter(pk=debt.pk).update(created_at=created)
    return debt


@pytest.mark.django_db
def test_days_to_supply_whole_book():
    creditor = CreditorFactory()
    # Given 100 debtors loaded long ago and 30 new ones over the last 30 days (1 a day)
    for _ in range(100):
        _debt(creditor, created_days_ago=200)
    for day in range(30):
        _debt(creditor, created_days_ago=day)
    # and a paid debt, which is not in the book's open debts
    _debt(creditor, created_days_ago=3, stage=Stage.PAID)
    # 130 today: a 10% arm needing 13 has them already
    assert (
        days_to_supply(creditor=creditor, segment=None, share_pct=10, needed=13, as_of=AS_OF) == 0
    )
    # a 10% arm needing 20 needs 200 debtors: 70 more at one a day
    assert (
        days_to_supply(creditor=creditor, segment=None, share_pct=10, needed=20, as_of=AS_OF) == 70
    )


@pytest.mark.django_db
def test_days_to_supply_segment_without_inflow_is_none():
    creditor = CreditorFactory()
    segment = SegmentDefinition.objects.create(creditor=creditor, code="s", name="S", priority=1)
    for _ in range(10):
        debt = _debt(creditor, created_days_ago=200)
        DebtSegment.objects.create(
            debt=debt, segment=segment, assigned_on=AS_OF - datetime.timedelta(days=90)
        )
    _debt(creditor, created_days_ago=1)  # new, but not in the segment
    assert (
        days_to_supply(creditor=creditor, segment=segment, share_pct=50, needed=5, as_of=AS_OF) == 0
    )
    assert (
        days_to_supply(creditor=creditor, segment=segment, share_pct=50, needed=6, as_of=AS_OF)
        is None
    )
