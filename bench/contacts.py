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

from bench.cycle import ensure_database  # noqa: E402
from portfolio.kpis.contact_selectors import (  # noqa: E402
    kpi_collector_contacts,
    kpi_collector_days,
    kpi_contact_channels,
    kpi_contacts,
)
from portfolio.kpis.forms import KpiFilters  # noqa: E402
from portfolio.kpis.selectors import _cut  # noqa: E402
from portfolio.models import ContactDay  # noqa: E402
from portfolio.segmentation.snapshots_contacts import contact_snapshots_write  # noqa: E402

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
            "TRUNCATE portfolio_contactday, collections_app_interaction, portfolio_payment, "
            "portfolio_historicaldebt, portfolio_debt, portfolio_contactpoint, "
            "portfolio_debtor CASCADE"
        )
        cursor.execute("DELETE FROM auth_user WHERE username LIKE 'bench-collector-%%'")
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
            INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,
                email, is_staff, is_active, date_joined)
            SELECT '!', false, 'bench-collector-' || g, 'Gestor', g::text, '', false, true, now()
              FROM generate_series(1, %s) AS g
            """,
            [collectors],
        )
        cursor.execute(
            """
            INSERT INTO portfolio_debtor (creditor_id, debtor_ref, document_type, document_number,
                full_name, address_line, city, region, postal_code, country, timezone, language,
                created_at, updated_at)
            SELECT %s, 'D' || g, 'CC', (1000000000 + g)::text, 'Deudor ' || g, '', 'Bogotá', '',
                   '', 'CO', 'America/Bogota', 'es', now(), now()
              FROM generate_series(1, %s) AS g
            """,
            [creditor_id, debts],
        )
        cursor.execute(
            """
            INSERT INTO portfolio_debt (creditor_id, debtor_id, debt_ref, product, currency,
                original_amount, principal, interest, fees, balance, due_date, stage,
                assigned_to_id, created_at, updated_at)
            SELECT %(creditor)s, d.id, 'OBL-' || d.debtor_ref, 'credit_card',
                   CASE WHEN d.id %% 10 = 0 THEN 'USD' ELSE 'COP' END,
                   3000000, 1000000, 0, 0, 1000000, %(as_of)s::date - (d.id %% 200)::int,
                   'friendly_reminder', u.id, now(), now()
              FROM portfolio_debtor d
              JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM auth_user
                     WHERE username LIKE 'bench-collector-%%') u
                ON u.n = d.id %% %(collectors)s
             WHERE d.creditor_id = %(creditor)s
            """,
            {"creditor": creditor_id, "as_of": AS_OF, "collectors": collectors},
        )
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
    if connection.vendor != "postgresql":
        sys.exit("bench/contacts.py measures PostgreSQL: set DATABASE_URL=postgres://...")
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
