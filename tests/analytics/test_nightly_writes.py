"""The nightly job's bulk writes: first assignments and new scores are copied straight into
their tables (into empty tables, before their keys and indexes are built); should a row appear
meanwhile, the job falls back to the upsert and still ends with one segment per open debt and
one score per debtor."""

import datetime
import threading
from decimal import Decimal

import pandas as pd
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import analytics.services.loading as loading
import analytics.services.nightly as nightly
from agreements.models import PromiseToPay
from analytics.models import BehaviourScore, DebtSegment, SegmentDefinition
from collections_app.models import Interaction
from tests.analytics.helpers import at, pay, run
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.table_schema import table_schema

pytestmark = pytest.mark.django_db

D = datetime.date
TABLES = [DebtSegment._meta.db_table, BehaviourScore._meta.db_table]


@pytest.fixture
def debts(creditor):
    made = [
        DebtFactory(creditor=creditor, principal=Decimal(p), interest=0, fees=0, due_date=due)
        for p, due in (
            ("100000", D(2026, 10, 1)),
            ("2000000", D(2026, 6, 1)),
            ("5000", D(2026, 11, 20)),
        )
    ]
    pay(made[0], "10000", D(2026, 11, 5), "P-1")
    return made


def test_first_night_copies_every_segment_and_score(debts):
    run_ = run(D(2026, 11, 30))
    assert run_.segment_changes == len(debts)
    assert set(DebtSegment.objects.values_list("debt_id", flat=True)) == {d.id for d in debts}
    assert set(BehaviourScore.objects.values_list("debtor_id", flat=True)) == {
        d.debtor_id for d in debts
    }
    # and each is where a rerun puts it: nothing moves
    again = run(D(2026, 11, 30))
    assert (again.segment_changes, again.scores_written) == (0, 0)


def test_a_first_night_into_empty_tables_builds_their_keys_and_indexes_after_the_copy(
    debts, settings
):
    settings.CARTERA_NIGHTLY_BULK_MIN_ROWS = 1
    indexes, constraints = before = table_schema(TABLES)
    keys = [name for _table, name, kind, *_rest in constraints if kind == "p"]
    segment_indexes = [
        name for table, name, _ in indexes if table == TABLES[0] and name not in keys
    ]
    assert len(keys) == 2 and segment_indexes
    with CaptureQueriesContext(connection) as queries:
        run_ = run(D(2026, 11, 30))
    statements = "\n".join(q["sql"] for q in queries.captured_queries)
    # Both keys and the segment's index were dropped for the copy and built after it
    for name in keys:
        assert f'DROP CONSTRAINT "{name}"' in statements
        assert f'ADD CONSTRAINT "{name}" PRIMARY KEY' in statements
    for name in segment_indexes:
        assert f'DROP INDEX "{name}"' in statements
    # and are as they were, over the right rows
    assert table_schema(TABLES) == before
    assert run_.segment_changes == len(debts)
    assert set(DebtSegment.objects.values_list("debt_id", flat=True)) == {d.id for d in debts}
    assert BehaviourScore.objects.count() == len({d.debtor_id for d in debts})
    # The next night, into tables that hold rows, drops nothing and moves nothing.
    with CaptureQueriesContext(connection) as queries:
        again = run(D(2026, 11, 30))
    assert not any(
        "DROP " in q["sql"] and "TABLE IF EXISTS" not in q["sql"] for q in queries.captured_queries
    )
    assert (again.segment_changes, again.scores_written) == (0, 0)


@pytest.mark.parametrize("bulk_min_rows", [1, 20_000])
def test_rows_written_meanwhile_fall_back_to_the_upsert(
    debts, monkeypatch, settings, bulk_min_rows
):
    settings.CARTERA_NIGHTLY_BULK_MIN_ROWS = bulk_min_rows
    # What the rules decide for these debts (the pure part, no write).
    frame = nightly.load_open_debts(as_of=D(2026, 11, 30))
    scores = nightly.compute_scores(frame)
    decided = nightly.compute_segments(frame, scores)
    expected = dict(zip(decided["id"], decided["new_segment_id"], strict=True))
    # given a segment and a score already stored for the first debt, which the job's read
    # does not see (as if written between its read and its write)
    stale = SegmentDefinition.objects.exclude(pk=expected[debts[0].id]).first()
    DebtSegment.objects.create(debt=debts[0], segment=stale, assigned_on=D(2026, 11, 1))
    BehaviourScore.objects.create(
        debtor_id=debts[0].debtor_id, score=1, reasons="old", as_of=D(2026, 11, 1)
    )
    real_load, real_scores = nightly.load_open_debts, nightly.load_scores

    def blind_load(**kwargs):
        frame = real_load(**kwargs)
        frame["segment_id"] = pd.Series([float("nan")] * len(frame), index=frame.index)
        return frame

    def blind_scores():
        return real_scores().iloc[0:0]

    monkeypatch.setattr(nightly, "load_open_debts", blind_load)
    monkeypatch.setattr(nightly, "load_scores", blind_scores)

    # when the night runs
    run(D(2026, 11, 30))

    # then it completes with one segment per debt and the new score, not the stale ones
    assert dict(DebtSegment.objects.values_list("debt_id", "segment_id")) == expected
    score = BehaviourScore.objects.get(debtor_id=debts[0].debtor_id)
    assert score.score == scores.loc[debts[0].debtor_id, "score"]
    assert (score.reasons, score.as_of) == (
        scores.loc[debts[0].debtor_id, "reasons"],
        D(2026, 11, 30),
    )
    assert BehaviourScore.objects.count() == len({d.debtor_id for d in debts})


@pytest.mark.django_db(transaction=True)
def test_in_its_own_transaction_the_job_reads_payments_promises_and_contacts_beside_the_debts(
    monkeypatch,
):
    """The job's transaction is the outermost (a worker's, the command's): the payments,
    promises and contacts are read on a second connection while the debts stream in, and
    the frame is the one a read on one connection gives."""
    creditor = CreditorFactory(code="beside", name="Beside")
    first, second = (
        DebtFactory(creditor=creditor, principal=Decimal(p), interest=0, fees=0, due_date=due)
        for p, due in (("100000", D(2026, 10, 1)), ("2000000", D(2026, 6, 1)))
    )
    pay(first, "10000", D(2026, 11, 5), "P-1")
    PromiseToPay.objects.create(
        debt=second, debtor=second.debtor, amount=Decimal("1000"), currency=second.currency,
        promised_date=D(2026, 11, 10), grace_days=2, channel="phone", status="broken",
        made_on=D(2026, 11, 1), resolved_on=D(2026, 11, 13),
    )  # fmt: skip
    Interaction.objects.create(
        debt=second, debtor=second.debtor, channel=Interaction.Channel.CALL,
        outcome=Interaction.Outcome.NO_ANSWER, occurred_at=at(D(2026, 11, 20), 11),
    )  # fmt: skip
    # Read on one connection (autocommit: each statement on its own) ...
    here = loading.load_open_debts(as_of=D(2026, 11, 30))
    assert here["paid_amount"].sum() == 10000
    assert here["debtor_promises"].sum() == 1 and here["debtor_attempts"].sum() == 1
    # ... and beside, in a transaction of its own: the same frame.
    with transaction.atomic():
        beside = loading.load_open_debts(as_of=D(2026, 11, 30), beside=True)
    pd.testing.assert_frame_equal(beside, here)

    threads = {}

    def spied(name, real):
        def spy(*args, **kwargs):
            threads[name] = threading.current_thread().name
            return real(*args, **kwargs)

        return spy

    for name in ("payments_aggregate", "load_promises", "load_contacts"):
        monkeypatch.setattr(loading, name, spied(name, getattr(loading, name)))

    # When the night runs in its own transaction
    run(D(2026, 11, 30))

    # then those three were read on the other thread, and the scores are the frame's
    assert len(threads) == 3
    assert all(name.startswith("reads-beside") for name in threads.values()), threads
    expected = nightly.compute_scores(here)
    assert dict(BehaviourScore.objects.values_list("debtor_id", "score")) == (
        expected["score"].to_dict()
    )
