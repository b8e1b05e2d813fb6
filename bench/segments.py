"""Benchmark the nightly segmentation + scores (and its KPI snapshots) on PostgreSQL.

    .venv/bin/python bench/segments.py --debts 1000000

Builds N open debts on realistic books (bench/seeding_nightly.py: one to three debts per
debtor, CO/MX/US debtors, the demo's channel mix, payments on 40 % of the debts), then times
`analytics.services.nightly.nightly_run` (what beat's nightly task calls):
  * the first night (every debt gets a segment and every debtor a score: all written),
  * a rerun for the same date (idempotent: nothing is written),
  * the next day's run (steady state: only the debts whose bucket or score moved change).
Each run is split as the job times it: segments + scores (load, score, segment, both writes,
field visits) and the KPI snapshots. Beside each, a floor measured in the same run just
before it:
  * segments + scores: reading the columns the rules and the score need (open debts with
    their debtor's country and region) and one payments aggregate per debt, straight into
    Arrow (COPY ... TO STDOUT parsed by pyarrow) and on to pandas: the job cannot do less
    than read what it computes from;
  * KPI snapshots: one aggregate statement over the open debts (count and balance per
    creditor, portfolio, collector, currency and aging bucket).
Floors run with the session settings the job sets for itself (work_mem, no JIT).
Prints the load average (os.getloadavg()) with the figures: the machine may be shared.
Uses DATABASE_URL (default: a `cartera_bench_segments` database), which it migrates and empties.
"""

import argparse
import datetime
import functools
import io
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench_segments")

import django

django.setup()

import pyarrow.csv as pacsv  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from analytics.services.nightly import nightly_run  # noqa: E402
from analytics.services.rules import segment_ensure_defaults  # noqa: E402
from bench.seeding import ensure_database  # noqa: E402
from bench.seeding_nightly import nightly_seed  # noqa: E402
from core.bulk import bulk_session_tune  # noqa: E402
from portfolio.models import OPEN_STAGES  # noqa: E402

AS_OF = datetime.date(2026, 6, 1)
# The job's phases that make segments and scores; the rest are its KPI snapshots.
SEGMENT_PHASES = ("load", "score", "segment", "write scores", "write segments", "field visits")
SNAPSHOT_PHASES = ("snapshots", "contact snapshots")


def _arrow(sql: str, params: list):
    with connection.cursor() as cursor:
        query = cursor.cursor.mogrify(sql, params).decode()
        buffer = io.BytesIO()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer)
    buffer.seek(0)
    return pacsv.read_csv(buffer, read_options=pacsv.ReadOptions(autogenerate_column_names=True))


def tuned(func):
    """Run `func` in a transaction with the session settings the nightly job uses
    (core.bulk.bulk_session_tune: work_mem, no JIT), so floor and job read alike."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        with transaction.atomic():
            with connection.cursor() as cursor:
                bulk_session_tune(cursor)
            return func(*args, **kwargs)

    return run


@tuned
def segments_floor(as_of: datetime.date) -> tuple[float, int]:
    """Seconds to read the needed columns and one payments aggregate into pandas; rows read."""
    stages = [str(s) for s in OPEN_STAGES]
    started = time.perf_counter()
    debts = _arrow(
        """
        SELECT d.id, d.creditor_id, d.debtor_id, d.portfolio_id, d.assigned_to_id, d.product,
               d.currency, d.balance::float8, %s::date - d.due_date, r.country, r.region
          FROM portfolio_debt d JOIN portfolio_debtor r ON r.id = d.debtor_id
         WHERE d.stage = ANY(%s)
        """,
        [as_of, stages],
    ).to_pandas()
    payments = _arrow(
        """
        SELECT debt_id, sum(amount)::float8, count(*), %s::date - max(paid_at)::date,
               count(*) FILTER (WHERE paid_at >= %s::date - 179)
          FROM portfolio_payment WHERE paid_at < %s::date + 1 GROUP BY debt_id
        """,
        [as_of, as_of, as_of],
    ).to_pandas()
    return time.perf_counter() - started, len(debts) + len(payments)


@tuned
def snapshots_floor(as_of: datetime.date) -> float:
    """Seconds of one aggregate statement over the open debts (the aging snapshot's shape)."""
    stages = [str(s) for s in OPEN_STAGES]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d.creditor_id, d.portfolio_id, d.assigned_to_id, d.currency,
                   width_bucket(%s::date - d.due_date, ARRAY[1, 31, 61, 91, 181, 361]),
                   count(*), sum(d.balance)
              FROM portfolio_debt d
             WHERE d.stage = ANY(%s) AND d.balance > 0
             GROUP BY 1, 2, 3, 4, 5
            """,
            [as_of, stages],
        )
        cursor.fetchall()
    return time.perf_counter() - started


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


@dataclass
class NightlyTimed:
    """The nightly job's run, its seconds in all and per part, and the parts' floors."""

    run: object
    total: float
    segments: float
    snapshots: float
    segments_floor: float
    snapshots_floor: float


def nightly_timed(as_of: datetime.date) -> NightlyTimed:
    """Both floors, then the nightly job, timed (this bench's and bench/nightly.py's)."""
    seg_floor, _rows = segments_floor(as_of)
    kpi_floor = snapshots_floor(as_of)
    started = time.perf_counter()
    run = nightly_run(as_of=as_of)
    total = time.perf_counter() - started
    phases = run.phase_seconds
    return NightlyTimed(
        run=run,
        total=total,
        segments=sum(phases.get(p, 0.0) for p in SEGMENT_PHASES),
        snapshots=sum(phases.get(p, 0.0) for p in SNAPSHOT_PHASES),
        segments_floor=seg_floor,
        snapshots_floor=kpi_floor,
    )


def measured(label: str, as_of: datetime.date) -> None:
    timed = nightly_timed(as_of)
    run, total, segments, snapshots = timed.run, timed.total, timed.segments, timed.snapshots
    seg_floor, kpi_floor = timed.segments_floor, timed.snapshots_floor
    phases = run.phase_seconds
    detail = ", ".join(f"{k} {v:.2f}" for k, v in phases.items())
    print(
        f"{label:<26} segments+scores {segments:7.2f} s  floor {seg_floor:6.2f} s  "
        f"ratio {segments / seg_floor:5.1f}x | snapshots {snapshots:6.2f} s  "
        f"floor {kpi_floor:5.2f} s  ratio {snapshots / kpi_floor:5.1f}x | whole job "
        f"{total:7.2f} s | segment changes {run.segment_changes:,}, scores written "
        f"{run.scores_written:,} | {load()}",
        flush=True,
    )
    print(f"{'':<26} [{detail}]", flush=True)
    print(f"{'':<26} [snapshots: {snapshot_detail(run)}]", flush=True)


def snapshot_detail(run) -> str:
    """Seconds per KPI snapshot table, as the job timed them."""
    return ", ".join(f"{k} {v:.3f}" for k, v in getattr(run, "snapshot_seconds", {}).items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=100_000)
    args = parser.parse_args()
    ensure_database()
    call_command("migrate", verbosity=0)
    print(f"building {args.debts:,} open debts ...", flush=True)
    started = time.perf_counter()
    counts = nightly_seed(args.debts, as_of=AS_OF)
    segment_ensure_defaults()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        # Flush what building the books dirtied, so the background writes of the build do
        # not land on the first night's floor and job (they did: ±20 % run to run).
        cursor.execute("CHECKPOINT")
    print(
        f"  built in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items()),
        flush=True,
    )
    # Warm the cache the way the nightly job finds it (after the day's cycle read the debts).
    segments_floor(AS_OF)
    measured("first night", AS_OF)
    measured("rerun, same date (no-op)", AS_OF)
    measured("next day (steady state)", AS_OF + datetime.timedelta(days=1))
    print(f"debts: {args.debts:,}  {load()}")


if __name__ == "__main__":
    main()
