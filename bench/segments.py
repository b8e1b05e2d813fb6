"""Benchmark the nightly segmentation + KPI snapshot job on PostgreSQL.

    .venv/bin/python bench/segments.py --debts 1000000

Builds N open debts (one debtor each; due dates spread over 0-400 days, balances spread over
bands, ~40 % with one to three payments; bench/seeding.py, shared with bench/cycle.py), then
times:
  * the first nightly run (every debt gets a segment and every debtor a score: all written),
  * a rerun for the same date (idempotent: nothing is written),
  * the next day's run (steady state: only the debts whose bucket or score moved change).
Uses DATABASE_URL (default: a `cartera_bench_segments` database), which it migrates and empties.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench_segments")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from analytics.services.nightly import nightly_run  # noqa: E402
from analytics.services.rules import segment_ensure_defaults  # noqa: E402
from bench.seeding import debts_seed, ensure_database, payments_seed  # noqa: E402

AS_OF = datetime.date(2026, 6, 1)


def build(n: int) -> None:
    debts_seed(n, as_of=AS_OF, balance="bands", original_amount=30_000_000)
    payments_seed(as_of=AS_OF, share=0.4)
    segment_ensure_defaults()


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=100_000)
    args = parser.parse_args()
    ensure_database()
    call_command("migrate", verbosity=0)
    print(f"building {args.debts:,} open debts ...", flush=True)
    build_seconds, _ = timed(lambda: build(args.debts))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM portfolio_payment")
        payments = cursor.fetchone()[0]
    print(f"  built in {build_seconds:.1f} s ({payments:,} payments)")

    def show(label, seconds, run):
        phases = ", ".join(f"{k} {v:.1f}" for k, v in run.phase_seconds.items())
        print(
            f"{label:<28} {seconds:7.2f} s  segment changes {run.segment_changes:>9,}  "
            f"scores written {run.scores_written:>9,}  [{phases}]",
            flush=True,
        )

    seconds, run = timed(lambda: nightly_run(as_of=AS_OF))
    show("first run", seconds, run)
    seconds, run = timed(lambda: nightly_run(as_of=AS_OF))
    show("rerun, same date (no-op)", seconds, run)
    next_day = AS_OF + datetime.timedelta(days=1)
    seconds, run = timed(lambda: nightly_run(as_of=next_day))
    show("next day (steady state)", seconds, run)
    print(f"debts: {args.debts:,}")


if __name__ == "__main__":
    main()
