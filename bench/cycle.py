"""Benchmark the daily cycle on PostgreSQL.

    .venv/bin/python bench/cycle.py --debts 100000

Builds N open debts (all `current`, due dates spread over 0-400 days before the business
date, so the first cycle moves most of them), then times:
  * a single hand-written SQL statement computing every debt's target stage (the floor),
  * one full cycle (load, decide with the state machine's pairs, move, record, plan contacts),
  * a second cycle for the same date (the idempotent rerun; nothing changes),
  * the next day's cycle (the steady state: few debts cross a threshold),
and checks that the cycle's stages equal the SQL's. Uses DATABASE_URL (default: a
`cartera_bench` database on the local PostgreSQL), which it migrates and empties.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.seeding import debts_seed, ensure_database  # noqa: E402
from collections_app.services.cycle import cycle_run_date  # noqa: E402
from collections_app.services.policies import policy_ensure_defaults  # noqa: E402

AS_OF = datetime.date(2026, 6, 1)

TARGET_SQL = """
    CREATE TEMP TABLE bench_expected AS
    SELECT d.id,
           CASE WHEN d.balance = 0 THEN 'paid'
                WHEN %(as_of)s::date - d.due_date >= 46 THEN 'pre_legal'
                WHEN %(as_of)s::date - d.due_date >= 16 THEN 'firm_notice'
                WHEN %(as_of)s::date - d.due_date >= 1 THEN 'friendly_reminder'
                ELSE 'current' END AS target
      FROM portfolio_debt d
     WHERE d.stage IN ('current', 'friendly_reminder', 'firm_notice', 'pre_legal', 'legal')
"""


def build(n: int) -> None:
    debts_seed(n, as_of=AS_OF, balance="cycle")
    policy_ensure_defaults()


def timed(label: str, func):
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=100_000)
    args = parser.parse_args()
    ensure_database()
    call_command("migrate", verbosity=0)
    print(f"building {args.debts:,} open debts ...", flush=True)
    build_seconds, _ = timed("build", lambda: build(args.debts))
    print(f"  built in {build_seconds:.1f} s")

    def sql_floor():
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_expected")
            cursor.execute(TARGET_SQL, {"as_of": AS_OF})

    sql_seconds, _ = timed("sql", sql_floor)
    cycle_seconds, first = timed("cycle", lambda: cycle_run_date(business_date=AS_OF))
    rerun_seconds, rerun = timed("rerun", lambda: cycle_run_date(business_date=AS_OF))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM portfolio_debt d JOIN bench_expected e USING (id) "
            "WHERE d.stage <> e.target"
        )
        mismatches = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM portfolio_stagechange")
        changes = cursor.fetchone()[0]
    next_day = AS_OF + datetime.timedelta(days=1)
    next_seconds, second = timed("next", lambda: cycle_run_date(business_date=next_day))

    run = first.run
    print(f"debts: {args.debts:,}")
    print(f"single SQL statement (targets only): {sql_seconds:8.2f} s")
    print(
        f"cycle, first run:                    {cycle_seconds:8.2f} s  "
        f"{args.debts / cycle_seconds:,.0f} debts/s  "
        f"ratio to SQL {cycle_seconds / sql_seconds:.1f}x"
    )
    print(
        f"  moved {run.debts_moved:,}, contact actions {run.actions_planned:,}, "
        f"stage-change rows {changes:,}"
    )
    print(
        f"cycle, rerun same date (no-op):      {rerun_seconds:8.2f} s  "
        f"moved {rerun.run.debts_moved:,}"
    )
    print(
        f"cycle, next day (steady state):      {next_seconds:8.2f} s  "
        f"moved {second.run.debts_moved:,}, actions {second.run.actions_planned:,}"
    )
    print(f"stages differing from the SQL's targets: {mismatches}")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
