"""Assignment: deterministic, balanced, the same in SQL and Python, stable across refreshes."""

import datetime

import pytest
from django.db import connection

from analytics.models import SegmentDefinition, SegmentRule
from experiments.models import BUCKETS, Assignment
from experiments.services.assignment import (
    BUCKET_SQL,
    arm_for_bucket,
    assignments_refresh,
    bucket_of,
)
from portfolio.models import Debt, Stage
from tests.analytics.helpers import run
from tests.factories.experiments import make_experiment
from tests.factories.portfolio import DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)


def test_sql_bucket_equals_python_bucket():
    key = "0f3c9a"
    ids = [1, 2, 17, 99_999, 2_147_483_647]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(BUCKET_SQL.format(key="%s", debtor=str(i)) for i in ids),
            [key] * len(ids),
        )
        from_sql = list(cursor.fetchone())
    assert from_sql == [bucket_of(key, i) for i in ids]
    assert all(0 <= b < BUCKETS for b in from_sql)


@pytest.mark.parametrize(
    "key, shares",
    [("exp-balance", (90, 10)), ("exp-three", (80, 10, 10)), ("exp-even", (50, 50))],
)
def test_chi_square_balance_on_100k_debtors(key, shares):
    # 100k synthetic debtor ids split by the arms' shares: the observed counts fit the expected
    # ones (chi-square below the 0.1% critical value for its degrees of freedom), and hashing
    # again gives every debtor the same bucket.
    edges, start = [], 0
    for share in shares:
        start += share * BUCKETS // 100
        edges.append(start)
    observed = [0] * len(shares)
    for debtor_id in range(1, 100_001):
        bucket = bucket_of(key, debtor_id)
        observed[next(i for i, edge in enumerate(edges) if bucket < edge)] += 1
    expected = [100_000 * share / 100 for share in shares]
    chi2 = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))
    critical = {1: 10.828, 2: 13.816}[len(shares) - 1]
    assert chi2 < critical, (observed, chi2)


def test_refresh_assigns_every_debtor_once_and_keeps_them_when_rerun(manager, creditor):
    debtors = [DebtorFactory() for _ in range(20)]
    for debtor in debtors:
        DebtFactory(creditor=creditor, debtor=debtor, stage=Stage.FRIENDLY_REMINDER)
        DebtFactory(creditor=creditor, debtor=debtor, stage=Stage.FIRM_NOTICE)
    experiment = make_experiment(user=manager, creditor=creditor, start_on=DAY)
    rows = {a.debtor_id: a.arm_id for a in Assignment.objects.filter(experiment=experiment)}
    assert set(rows) == {d.pk for d in debtors}
    arms = list(experiment.arms.order_by("bucket_from"))
    for debtor in debtors:
        assert rows[debtor.pk] == arm_for_bucket(arms, bucket_of(experiment.hash_key, debtor.pk)).pk
    again = assignments_refresh(experiment=experiment, as_of=DAY + datetime.timedelta(days=1))
    assert again == {"joined": 0, "left": 0}


def test_debtor_leaves_when_no_debt_is_left_and_returns_to_the_same_arm(manager, creditor):
    debtor = DebtorFactory()
    debt = DebtFactory(creditor=creditor, debtor=debtor, stage=Stage.FRIENDLY_REMINDER)
    experiment = make_experiment(user=manager, creditor=creditor, start_on=DAY)
    first = Assignment.objects.get(experiment=experiment, debtor=debtor)
    Debt.objects.filter(pk=debt.pk).update(stage=Stage.PAID)
    assert assignments_refresh(experiment=experiment, as_of=DAY + datetime.timedelta(days=1)) == {
        "joined": 0,
        "left": 1,
    }
    DebtFactory(creditor=creditor, debtor=debtor, stage=Stage.FRIENDLY_REMINDER)
    assert assignments_refresh(experiment=experiment, as_of=DAY + datetime.timedelta(days=2)) == {
        "joined": 1,
        "left": 0,
    }
    back = Assignment.objects.get(experiment=experiment, debtor=debtor)
    assert (back.arm_id, back.left_on) == (first.arm_id, None)


def test_a_debtor_is_in_one_running_experiment_per_creditor(manager, creditor):
    debtor = DebtorFactory()
    DebtFactory(creditor=creditor, debtor=debtor, stage=Stage.FRIENDLY_REMINDER)
    first = make_experiment(user=manager, creditor=creditor, start_on=DAY, name="First")
    second = make_experiment(user=manager, creditor=creditor, start_on=DAY, name="Second")
    assert list(
        Assignment.objects.filter(debtor=debtor).values_list("experiment_id", flat=True)
    ) == [first.pk]
    assert not Assignment.objects.filter(experiment=second).exists()


def test_a_debtor_back_while_in_another_experiment_stays_in_that_one(manager, creditor):
    # given a debtor who left a first experiment when their debt was paid
    debtor = DebtorFactory()
    debt = DebtFactory(creditor=creditor, debtor=debtor, stage=Stage.FRIENDLY_REMINDER)
    first = make_experiment(user=manager, creditor=creditor, start_on=DAY, name="First")
    Debt.objects.filter(pk=debt.pk).update(stage=Stage.PAID)
    assignments_refresh(experiment=first, as_of=DAY + datetime.timedelta(days=1))
    # and who, with a new debt, joined a second experiment started meanwhile
    DebtFactory(creditor=creditor, debtor=debtor, stage=Stage.FRIENDLY_REMINDER)
    second = make_experiment(
        user=manager, creditor=creditor, start_on=DAY + datetime.timedelta(days=2), name="Second"
    )
    # when the first experiment is refreshed with the debtor back in its book
    counts = assignments_refresh(experiment=first, as_of=DAY + datetime.timedelta(days=3))
    # then the debtor stays in the second one only
    assert counts == {"joined": 0, "left": 0}
    rows = dict(Assignment.objects.filter(debtor=debtor).values_list("experiment_id", "left_on"))
    assert rows == {first.pk: DAY + datetime.timedelta(days=1), second.pk: None}


def test_assignment_is_stable_across_nightly_segment_recomputation(manager, creditor):
    # Given a segment of the debts 1-30 days past due and an experiment on it
    SegmentDefinition.objects.filter(is_catch_all=False).delete()
    early = SegmentDefinition.objects.create(
        code="early", name="Early", priority=10, creditor=creditor
    )
    SegmentRule.objects.create(segment=early, position=1, aging_buckets=["1-30"])
    as_of = datetime.date(2026, 11, 30)
    debts = [
        DebtFactory(creditor=creditor, due_date=datetime.date(2026, 11, 20)) for _ in range(30)
    ]
    late = DebtFactory(creditor=creditor, due_date=datetime.date(2026, 9, 1))
    run(as_of)
    experiment = make_experiment(user=manager, creditor=creditor, segment=early, start_on=as_of)
    first = dict(
        Assignment.objects.filter(experiment=experiment).values_list("debtor_id", "arm_id")
    )
    assert set(first) == {d.debtor_id for d in debts}  # the late debt is in another segment
    assert late.debtor_id not in first
    # When the nightly job recomputes the segments, twice, with nothing changed: same arms
    run(as_of + datetime.timedelta(days=1))
    run(as_of + datetime.timedelta(days=1))
    live = Assignment.objects.filter(experiment=experiment, left_on__isnull=True)
    assert dict(live.values_list("debtor_id", "arm_id")) == first
    # When one debt leaves the segment (its due date moved back) its debtor leaves...
    leaver = debts[0]
    Debt.objects.filter(pk=leaver.pk).update(due_date=datetime.date(2026, 8, 1))
    run(as_of + datetime.timedelta(days=2))
    gone = Assignment.objects.get(experiment=experiment, debtor_id=leaver.debtor_id)
    assert gone.left_on == as_of + datetime.timedelta(days=2)
    # ... and coming back into the segment puts them in the same arm; nobody else moved
    Debt.objects.filter(pk=leaver.pk).update(due_date=datetime.date(2026, 11, 25))
    run(as_of + datetime.timedelta(days=3))
    assert dict(live.values_list("debtor_id", "arm_id")) == first
