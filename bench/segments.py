"""Benchmark the nightly segmentation + KPI snapshot job on PostgreSQL.

    .venv/bin/python bench/segments.py --debts 1000000

Builds N open debts (one debtor each; due dates spread over 0-400 days, balances spread over
bands, ~40 % with one to three payments) like bench/cycle.py, then times:
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

from bench.cycle import ensure_database  # noqa: E402
from portfolio.segmentation.nightly import nightly_run  # noqa: E402
from portfolio.segmentation.rules import segment_ensure_defaults  # noqa: E402

AS_OF = datetime.date(2026, 6, 1)


def build(n: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE portfolio_segmentchange, portfolio_behaviourscore, portfolio_agingsnapshot, "
            "portfolio_collectionday, portfolio_debtmonthopening, portfolio_buckettransition, "
            "portfolio_nightlyrun, collections_app_contactaction, collections_app_stagechange, "
            "collections_app_cyclerun, collections_app_hold, portfolio_payment, "
            "portfolio_historicaldebt, portfolio_debt, portfolio_contactpoint, "
            "portfolio_debtor CASCADE"
        )
        cursor.execute(
            "INSERT INTO portfolio_creditor (code, name, kind, country, contact_email, "
            "contact_phone, is_active, created_at, updated_at) VALUES "
            "('bench', 'Bench Bank', 'bank', 'CO', '', '', true, now(), now()) "
            "ON CONFLICT (code) DO NOTHING"
        )
        cursor.execute("SELECT id FROM portfolio_creditor WHERE code = 'bench'")
        creditor_id = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO portfolio_debtor (creditor_id, debtor_ref, document_type, document_number,
                full_name, address_line, city, region, postal_code, country, timezone, language,
                created_at, updated_at)
            SELECT %s, 'D' || g, 'CC', (1000000000 + g)::text, 'Deudor ' || g, '', 'Bogotá', '',
                   '', 'CO', 'America/Bogota', 'es', now(), now()
              FROM generate_series(1, %s) AS g
            """,
            [creditor_id, n],
        )
        cursor.execute(
            """
            INSERT INTO portfolio_debt (creditor_id, debtor_id, debt_ref, product, currency,
                original_amount, principal, interest, fees, balance, due_date, stage,
                created_at, updated_at)
            SELECT %(creditor)s, d.id, 'OBL-' || d.debtor_ref, 'credit_card', 'COP',
                   30000000, p, 0, 0, p, %(as_of)s::date - ((d.id * 7919) %% 400)::int,
                   'current', now(), now()
              FROM portfolio_debtor d,
                   LATERAL (SELECT ((d.id * 104729) %% 200 + 1) * 100000 AS p) amt
             WHERE d.creditor_id = %(creditor)s
            """,
            {"creditor": creditor_id, "as_of": AS_OF},
        )
        cursor.execute(
            """
            INSERT INTO portfolio_payment (creditor_id, debt_id, amount, currency, paid_at,
                method, source, reference, allocated_fees, allocated_interest,
                allocated_principal, created_at, updated_at)
            SELECT d.creditor_id, d.id, 50000, 'COP',
                   (%(as_of)s::date - ((d.id * 31 + k * 47) %% 200)::int)::timestamptz
                       + interval '15 hours',
                   'pse', 'file', 'P-' || d.id || '-' || k, 0, 0, 50000, now(), now()
              FROM portfolio_debt d, generate_series(1, 1 + (d.id %% 3)) AS k
             WHERE d.id %% 5 < 2
            """,
            {"as_of": AS_OF},
        )
        cursor.execute("ANALYZE")
    segment_ensure_defaults()


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/segments.py measures PostgreSQL: set DATABASE_URL=postgres://...")
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
