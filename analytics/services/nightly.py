"""The nightly job: behaviour scores, segments, and the KPI snapshots, for one business date.

Runs after the daily cycle (beat schedules it late in the evening; `run_segments` by hand).
Loads with SQL into pandas, computes there, writes back with temp tables and set-based SQL,
in one transaction: a crash leaves nothing half written, a rerun for the same date changes
nothing more (segment changes have a unique (debt, date) key; snapshots are replaced).
"""

import datetime
import logging
import time

import numpy as np
import pandas as pd
import pyarrow as pa
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from analytics.hooks import segments_written
from analytics.models.segments import NightlyRun
from analytics.services.engine import aging_bucket, assign_segments, behaviour_scores
from analytics.services.loading import load_open_debts, load_scores
from analytics.services.rules import rules_in_order, segment_catch_all
from analytics.services.snapshots import snapshots_write
from analytics.services.snapshots_contacts import contact_snapshots_write
from analytics.services.writing import (
    date_repeated,
    frame_copy_into_new,
    nullable_ids,
    temp_frame_load,
)
from core.bulk import bulk_session_tune, phase_timer

logger = logging.getLogger(__name__)

NIGHTLY_LOCK_KEY = 81_726_355


def nightly_run(*, as_of: datetime.date, user=None) -> NightlyRun:
    """Score, segment and snapshot the portfolio for `as_of` (idempotent per date)."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NIGHTLY_LOCK_KEY])
                bulk_session_tune(cursor)
            run, _ = NightlyRun.objects.update_or_create(
                as_of=as_of,
                defaults={
                    "status": NightlyRun.Status.RUNNING,
                    "started_at": timezone.now(),
                    "error": "",
                    "started_by": user,
                },
            )
            seconds, phase = phase_timer()
            with phase("load"):
                debts = load_open_debts(as_of=as_of, beside=True)
            with phase("score"):
                scores = compute_scores(debts)
            with phase("segment"):
                debts = compute_segments(debts, scores)
            with phase("write scores"):
                run.scores_written = scores_write(scores, as_of=as_of)
            with phase("write segments"):
                run.segment_changes = segments_write(debts, as_of=as_of)
            with phase("experiments"):
                # Experiments refresh their arms' debtors from the segments just written.
                segments_written.call_all(as_of=as_of)
            with phase("field visits"):
                # Segments whose strategy includes a field visit: tasks for the collectors.
                from analytics.services.field_visits import field_visit_tasks_sync

                visits = field_visit_tasks_sync(as_of=as_of)
            with phase("snapshots"):
                snapshot_seconds = snapshots_write(
                    as_of=as_of,
                    debts=debts,
                    segments_moved=run.segment_changes > 1000 + 0.1 * len(debts),
                )
            with phase("contact snapshots"):
                snapshot_seconds["contact day"] = _timed(contact_snapshots_write, as_of=as_of)
            run.debts = len(debts)
            run.status = NightlyRun.Status.COMPLETED
            run.finished_at = timezone.now()
            run.seconds = time.perf_counter() - started
            run.save()
    except Exception as exc:
        NightlyRun.objects.update_or_create(
            as_of=as_of,
            defaults={
                "status": NightlyRun.Status.FAILED,
                "started_at": timezone.now(),
                "error": f"{type(exc).__name__}: {exc}"[:2000],
            },
        )
        raise
    run.phase_seconds = seconds
    # Seconds per snapshot table (inside the "snapshots" and "contact snapshots" phases).
    run.snapshot_seconds = snapshot_seconds
    logger.info(
        "nightly %s: %s debts, %s segment changes, %s scores written, field visits %s "
        "in %.1fs (%s)",
        as_of,
        run.debts,
        run.segment_changes,
        run.scores_written,
        visits,
        run.seconds,
        ", ".join(f"{k} {v:.2f}s" for k, v in seconds.items()),
    )
    return run


def _timed(func, **kwargs) -> float:
    started = time.perf_counter()
    func(**kwargs)
    return time.perf_counter() - started


def compute_scores(debts: pd.DataFrame) -> pd.DataFrame:
    """Score and reasons per debtor (frame indexed by debtor_id)."""
    return behaviour_scores(debts)


def compute_segments(debts: pd.DataFrame, scores: pd.DataFrame, *, rules=None) -> pd.DataFrame:
    """The debts frame with `bucket`, `score`, `new_segment_id` and `rule_id` added."""
    debts = debts.copy(deep=False)  # new columns only: the loaded ones are shared, unchanged
    debts["bucket"] = aging_bucket(debts["dpd"]) if len(debts) else pd.Series(dtype=object)
    debts["score"] = debts["debtor_id"].map(scores["score"]) if len(debts) else 0
    assigned = assign_segments(
        debts,
        rules_in_order() if rules is None else rules,
        catch_all_id=segment_catch_all().id,
    )
    debts["new_segment_id"] = assigned["segment_id"]
    debts["rule_id"] = assigned["rule_id"]
    return debts


def scores_write(scores: pd.DataFrame, *, as_of: datetime.date) -> int:
    """Upsert the scores that changed (or are new); returns how many rows were written.

    New debtors' scores are copied straight into the table (the first night, every debtor's);
    changed ones are updated from a temp table. Only this job writes scores, under its
    advisory lock, so what it read as missing is still missing; should a row have appeared
    anyway, the copy is undone to its savepoint and the rows are upserted instead.
    """
    if scores.empty:
        return 0
    existing = load_scores().set_index("debtor_id").add_suffix("_old")
    frame = scores.join(existing, how="left")
    new = frame["score_old"].isna()
    changed = ~new & (
        (frame["score"] != frame["score_old"]) | (frame["reasons"] != frame["reasons_old"])
    )
    written = 0
    if new.any():
        rows = frame[new]
        columns = {
            "debtor_id": rows.index.to_numpy(dtype="int64"),
            "score": rows["score"].to_numpy(dtype="int64"),
            "reasons": pa.array(rows["reasons"].astype(str)),
            "as_of": date_repeated(as_of, len(rows)),
        }
        try:
            with transaction.atomic():
                written += frame_copy_into_new(table="analytics_behaviourscore", columns=columns)
        except IntegrityError:
            changed |= new
    if changed.any():
        rows = frame[changed]
        temp_frame_load(
            name="nightly_scores",
            types={"debtor_id": "bigint", "score": "smallint", "reasons": "varchar(255)"},
            columns={
                "debtor_id": rows.index.to_numpy(dtype="int64"),
                "score": rows["score"].to_numpy(dtype="int64"),
                "reasons": rows["reasons"].astype(str).tolist(),
            },
        )
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO analytics_behaviourscore (debtor_id, score, reasons, as_of)
                SELECT debtor_id, score, reasons, %s FROM nightly_scores WHERE true
                 ORDER BY debtor_id
                ON CONFLICT (debtor_id) DO UPDATE
                   SET score = excluded.score, reasons = excluded.reasons, as_of = excluded.as_of
                """,
                [as_of],
            )
            cursor.execute("DROP TABLE IF EXISTS nightly_scores")
        written += len(rows)
    return written


def segments_write(debts: pd.DataFrame, *, as_of: datetime.date) -> int:
    """Move debts whose segment changed and record each change once per (debt, date).

    Returns how many debts were moved (first assignments included). A debt's first segment
    is copied straight into the side table (the first night: every open debt), like new
    scores; moves between segments go through a temp table.
    """
    if debts.empty:
        return 0
    current = debts["segment_id"]
    first = current.isna()
    moved = debts[~first & (current != debts["new_segment_id"])]
    written = 0
    if first.any():
        # Two columns, not the whole frame's rows; in key order, so the primary key is filled
        # page by page rather than at random.
        mask = first.to_numpy()
        ids = debts["id"].to_numpy(dtype="int64")[mask]
        order = np.argsort(ids, kind="stable")
        columns = {
            "debt_id": ids[order],
            "segment_id": debts["new_segment_id"].to_numpy(dtype="int64")[mask][order],
            "assigned_on": date_repeated(as_of, len(ids)),
        }
        try:
            with transaction.atomic():
                written += frame_copy_into_new(table="analytics_debtsegment", columns=columns)
        except IntegrityError:
            # Someone assigned them meanwhile: treat them as moves (upserted below).
            moved = pd.concat([moved, debts[first]])
    if moved.empty:
        return written
    temp_frame_load(
        name="nightly_segments",
        types={
            "id": "bigint",
            "from_id": "bigint",
            "to_id": "bigint",
            "creditor_id": "bigint",
            "portfolio_id": "bigint",
            "collector_id": "integer",
            "currency": "varchar(3)",
        },
        columns={
            "id": moved["id"].to_numpy(dtype="int64"),
            "from_id": nullable_ids(moved["segment_id"]),
            "to_id": moved["new_segment_id"].to_numpy(dtype="int64"),
            "creditor_id": moved["creditor_id"].to_numpy(dtype="int64"),
            "portfolio_id": nullable_ids(moved["portfolio_id"]),
            "collector_id": nullable_ids(moved["collector_id"]),
            "currency": moved["currency"].astype(str).tolist(),
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE nightly_segments")
        # In key order, so the primary key is filled page by page rather than at random.
        cursor.execute(
            """
            INSERT INTO analytics_debtsegment (debt_id, segment_id, assigned_on)
            SELECT id, to_id, %s FROM nightly_segments WHERE true ORDER BY id
            ON CONFLICT (debt_id) DO UPDATE
               SET segment_id = excluded.segment_id, assigned_on = excluded.assigned_on
            """,
            [as_of],
        )
        # A second run on the same date keeps the first `from`, so the day's record stays
        # "where it was this morning → where it is now"; a debt back where it started has none.
        # A debt's first segment is an assignment, not a migration between segments: only
        # moves from one segment to another are recorded (a million on the first night
        # would say nothing).
        cursor.execute(
            """
            INSERT INTO analytics_segmentchange (debt_id, from_segment_id, to_segment_id, as_of,
                creditor_id, portfolio_id, collector_id, currency)
            SELECT id, from_id, to_id, %s, creditor_id, portfolio_id, collector_id, currency
              FROM nightly_segments WHERE from_id IS NOT NULL
            ON CONFLICT (debt_id, as_of) DO UPDATE SET to_segment_id = excluded.to_segment_id
            """,
            [as_of],
        )
        cursor.execute(
            """
            DELETE FROM analytics_segmentchange
             WHERE as_of = %s AND from_segment_id = to_segment_id
               AND debt_id IN (SELECT id FROM nightly_segments)
            """,
            [as_of],
        )
        cursor.execute("DROP TABLE IF EXISTS nightly_segments")
    return written + len(moved)
