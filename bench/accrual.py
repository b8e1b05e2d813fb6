"""Benchmark the daily late-interest accrual on PostgreSQL.

    .venv/bin/python bench/accrual.py --debts 100000 [--chunk 20000]

Builds N open debts (bench.seeding: due dates spread over 0-400 days before the business date,
every 97th paid off, debtors spread over Colombia, Mexico and the US), an accrual rule for
their product (24 % E.A., actual/365), a certified usury rate covering the date, Mexico's
creditor maximum, and a contract rate above the usury rate on every fifth debt. Then times,
beside a floor measured in the same run:
  * the day's accrual (ledger.services.accrual.accrual_run: one INSERT ... ON CONFLICT +
    UPDATE ... FROM statement per chunk of debts) beside the floor: one
    `UPDATE portfolio_debt SET interest = interest + ..., balance = balance + ...` over the
    same rows (rolled back), which writes the debts but no ledger entry;
  * a replay of the same date (inserts nothing),
  * the next day's accrual (the steady state).
Prints the load average beside each figure. Uses DATABASE_URL (default: a `cartera_bench`
database on the local PostgreSQL), which it migrates and empties.
"""

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.seeding import debts_seed, ensure_database  # noqa: E402
from ledger.models import (  # noqa: E402
    AccrualRule,
    LedgerEntry,
    LedgerSettings,
    UsuryRate,
)
from ledger.services.accrual import DEFAULT_CHUNK, accrual_run  # noqa: E402

AS_OF = datetime.date(2026, 6, 1)
OPEN = "('current', 'friendly_reminder', 'firm_notice', 'pre_legal', 'legal')"
# The floor: the same rows the accrual reads (open, principal left, past due), one UPDATE of
# their interest and balance by one day of 24 % E.A. on the principal.
FLOOR_SQL = f"""
    UPDATE portfolio_debt
       SET interest = interest + round(principal * 0.000589, 2),
           balance = balance + round(principal * 0.000589, 2),
           updated_at = now()
     WHERE stage IN {OPEN} AND principal > 0 AND due_date < %(as_of)s
"""


class _Rollback(Exception):
    pass


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def vacuum() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {LedgerEntry._meta.db_table}")
        cursor.execute("VACUUM ANALYZE portfolio_debt")


def floor(as_of: datetime.date) -> tuple[float, int]:
    """Seconds and rows of the floor statement, rolled back (then vacuumed, untimed)."""
    seconds, rows = 0.0, 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            started = time.perf_counter()
            cursor.execute(FLOOR_SQL, {"as_of": as_of})
            rows = cursor.rowcount
            seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    vacuum()
    return seconds, rows


def scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def build(n: int) -> int:
    for model in (LedgerEntry, AccrualRule, UsuryRate, LedgerSettings):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {model._meta.db_table}")
    creditor_id = debts_seed(n, as_of=AS_OF, balance="cycle", debts_per_debtor=3,
                             country_mix=True)  # fmt: skip
    AccrualRule.objects.create(
        creditor_id=creditor_id, product="credit_card", valid_from=datetime.date(2026, 1, 1),
        annual_rate=Decimal("24"), rate_basis="effective_annual", day_count="act_365",
    )  # fmt: skip
    UsuryRate.objects.create(
        credit_type="consumer_ordinary", valid_from=datetime.date(2026, 5, 1),
        valid_to=datetime.date(2026, 6, 30), bank_current_rate=Decimal("17"),
        usury_rate=Decimal("25.5"), resolution="Bench",
    )  # fmt: skip
    LedgerSettings.objects.create(
        creditor_id=creditor_id, country="MX", application_order="fees_interest_principal",
        max_late_rate=Decimal("40"),
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("UPDATE portfolio_debt SET contract_rate = 30 WHERE id % 5 = 0")
    vacuum()
    return creditor_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    args = parser.parse_args()
    ensure_database()
    call_command("migrate", verbosity=0)
    print(f"building {args.debts:,} open debts ...", flush=True)
    build_seconds, _creditor = timed(lambda: build(args.debts))
    candidates = scalar(
        f"SELECT count(*) FROM portfolio_debt WHERE stage IN {OPEN} AND principal > 0"
        " AND due_date < %s",
        [AS_OF],
    )
    print(f"  built in {build_seconds:.1f} s: {candidates:,} debts past due with principal")

    floor_seconds, floor_rows = floor(AS_OF)
    print(
        f"floor (one UPDATE ... SET interest, balance):  {floor_seconds:8.2f} s  "
        f"{floor_rows:,} rows  {floor_rows / max(floor_seconds, 1e-9):,.0f} rows/s  ({load()})",
        flush=True,
    )
    seconds, written = timed(lambda: accrual_run(as_of=AS_OF, chunk=args.chunk))
    capped = LedgerEntry.objects.filter(posted_on=AS_OF, rate_capped=True).count()
    print(
        f"accrual {AS_OF} (chunk {args.chunk:,}):        {seconds:8.2f} s  "
        f"{written:,} entries ({capped:,} capped)  {written / max(seconds, 1e-9):,.0f} rows/s  "
        f"= {seconds / max(floor_seconds, 1e-9):.1f} x the floor  ({load()})",
        flush=True,
    )
    vacuum()
    seconds, again = timed(lambda: accrual_run(as_of=AS_OF, chunk=args.chunk))
    print(
        f"replay of {AS_OF}:                        {seconds:8.2f} s  {again:,} entries  ({load()})"
    )
    next_day = AS_OF + datetime.timedelta(days=1)
    floor2_seconds, floor2_rows = floor(next_day)
    print(
        f"floor next day:                              {floor2_seconds:8.2f} s  "
        f"{floor2_rows:,} rows  ({load()})",
        flush=True,
    )
    seconds, written = timed(lambda: accrual_run(as_of=next_day, chunk=args.chunk))
    print(
        f"accrual {next_day} (steady state):         {seconds:8.2f} s  {written:,} entries  "
        f"= {seconds / max(floor2_seconds, 1e-9):.1f} x the floor  ({load()})"
    )
    total = scalar(f"SELECT count(*) FROM {LedgerEntry._meta.db_table} WHERE kind = 'accrual'")
    mismatched = scalar(
        f"""SELECT count(*) FROM portfolio_debt d
             LEFT JOIN (SELECT debt_id, sum(interest) AS s FROM {LedgerEntry._meta.db_table}
                        GROUP BY debt_id) e ON e.debt_id = d.id
            WHERE d.interest <> coalesce(e.s, 0)"""
    )
    print(f"entries: {total:,}; debts whose interest differs from their entries: {mismatched}")


if __name__ == "__main__":
    main()
