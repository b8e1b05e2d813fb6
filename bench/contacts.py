"""Benchmark the ContactDay snapshot (contact, RPC and promise rates) on PostgreSQL.

    .venv/bin/python bench/contacts.py --debts 200000 --interactions 2000000 [--collectors 50]

Builds N open debts and M logged contacts (collections_app.Interaction) spread over the 90
days before the business date, on every channel and outcome, by a few dozen collectors; then
times:
  * the nightly step for one date (rewrites the last 7 days: one DELETE, one INSERT ... SELECT),
  * a rerun for the same date (the same rows again),
  * a 90-day backfill (run_segments --collections-from),
  * the dashboard's contact reads (headline, previous period, channels, collectors, per day).
Uses DATABASE_URL (default: a `cartera_bench_kpi` database), which it migrates and empties.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench_kpi")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from analytics.forms import KpiFilters  # noqa: E402
from analytics.models import ContactDay  # noqa: E402
from analytics.selectors.contacts import (  # noqa: E402
    kpi_collector_contacts,
    kpi_collector_days,
    kpi_contact_channels,
    kpi_contacts,
)
from analytics.selectors.kpis import _cut  # noqa: E402
from analytics.services.snapshots_contacts import contact_snapshots_write  # noqa: E402
from bench.seeding import debts_seed, ensure_database  # noqa: E402

AS_OF = datetime.date(2026, 6, 1)
DAYS = 90
CHANNELS = ["call", "call", "call", "call", "visit", "sms", "whatsapp", "email", "inbound_call"]
OUTCOMES = [
    "no_answer",
    "no_answer",
    "no_answer",
    "wrong_number",
    "third_party",
    "right_party_contact",
    "promise_to_pay",
    "refused",
    "callback_requested",
    "dispute",
]


def build(debts: int, interactions: int, collectors: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,
                email, is_staff, is_active, date_joined)
            SELECT '!', false, 'bench-collector-' || g, 'Gestor', g::text, '', false, true, now()
              FROM generate_series(1, %s) AS g
             WHERE NOT EXISTS (SELECT 1 FROM auth_user u WHERE u.username = 'bench-collector-' || g)
            """,
            [collectors],
        )
        cursor.execute(
            "SELECT id FROM auth_user WHERE username LIKE 'bench-collector-%%'"
            " ORDER BY id LIMIT %s",
            [collectors],
        )
        collector_ids = [row[0] for row in cursor.fetchall()]
    # Every tenth debt in USD, all of them 1,000,000 of 3,000,000 still owed.
    debts_seed(
        debts,
        as_of=AS_OF,
        balance="flat",
        original_amount=3_000_000,
        collector_ids=collector_ids,
        usd_every=10,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM portfolio_debt")
        low, high = cursor.fetchone()
        # Deterministic pseudo-random spread (setseed): channels, outcomes, days, hours and
        # debts independent of each other, as a real contact log is.
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            f"""
            INSERT INTO collections_app_interaction (debt_id, debtor_id, collector_id, channel,
                outcome, note, nonpayment_reason, occurred_at, created_at)
            SELECT d.id, d.debtor_id, d.assigned_to_id, r.channel, r.outcome, '', '',
                   r.at, now()
              FROM (SELECT %(low)s + floor(random() * (%(high)s - %(low)s + 1))::bigint AS debt,
                           (ARRAY{CHANNELS!r})[1 + floor(random() * {len(CHANNELS)})::int]
                               AS channel,
                           (ARRAY{OUTCOMES!r})[1 + floor(random() * {len(OUTCOMES)})::int]
                               AS outcome,
                           (%(as_of)s::date - floor(random() * {DAYS})::int)::timestamptz
                               + interval '13 hours' + random() * interval '10 hours' AS at
                      FROM generate_series(1, %(n)s)) r
              JOIN portfolio_debt d ON d.id = r.debt
            """,
            {"as_of": AS_OF, "n": interactions, "low": low, "high": high},
        )
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM collections_app_interaction")
        return cursor.fetchone()[0]


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=200_000)
    parser.add_argument("--interactions", type=int, default=2_000_000)
    parser.add_argument("--collectors", type=int, default=50)
    args = parser.parse_args()
    ensure_database()
    call_command("migrate", verbosity=0)
    print(f"building {args.debts:,} debts, {args.interactions:,} contacts ...", flush=True)
    seconds, count = timed(lambda: build(args.debts, args.interactions, args.collectors))
    print(f"  built in {seconds:.1f} s ({count:,} interactions over {DAYS} days)")

    def nightly():
        with transaction.atomic():
            return contact_snapshots_write(as_of=AS_OF)

    seconds, rows = timed(nightly)
    print(f"nightly step (8 days)   {seconds:7.2f} s  {rows:,} ContactDay rows written")
    seconds, rows = timed(nightly)
    print(f"rerun, same date        {seconds:7.2f} s  {rows:,} rows (same again)")

    def backfill():
        with transaction.atomic():
            return contact_snapshots_write(as_of=AS_OF, since=AS_OF - datetime.timedelta(days=DAYS))

    seconds, rows = timed(backfill)
    print(f"backfill ({DAYS} days)      {seconds:7.2f} s  {rows:,} rows")
    print(f"ContactDay rows in all  {ContactDay.objects.count():,}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM portfolio_creditor WHERE code = 'bench'")
        creditor_id = cursor.fetchone()[0]
    f = KpiFilters(
        creditor_ids=(creditor_id,),
        date_from=AS_OF - datetime.timedelta(days=29),
        date_to=AS_OF,
    )
    previous = f.previous

    def reads():
        cut = _cut(f)
        kpi_contacts(cut, "", f.date_from, f.date_to)
        kpi_contacts(cut, "", *previous)
        kpi_contact_channels(cut, "", f.date_from, f.date_to)
        kpi_collector_contacts(cut, "", f.date_from, f.date_to)
        return kpi_collector_days(cut, "", f.date_from, f.date_to)

    timings = []
    for _ in range(10):
        seconds, days = timed(reads)
        timings.append(seconds * 1000)
    timings.sort()
    print(
        f"dashboard contact reads (30 days) p50 {timings[len(timings) // 2]:.1f} ms, "
        f"max {timings[-1]:.1f} ms ({len(days):,} collector-day rows)"
    )


if __name__ == "__main__":
    main()
