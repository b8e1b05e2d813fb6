"""Benchmark a monthly credit-bureau run on PostgreSQL.

    .venv/bin/python bench/bureau.py --debts 100000

Builds N debts of one creditor (bench.seeding: one per debtor in Bogotá, balances in 200
bands, due dates spread over 0-400 days before the seed date), moves them up the ladder by
days past due (SQL, untimed), puts bureau notices in the ledger (most debts one notice 40 days
before the cut-off, small ones two, a share too recent, a share none) and payments on 40 % of
them. A first run (previous month) is made and submitted, so the timed run has the previous
lines it updates (payment history, date of first delinquency, paid debts). Then it times the
monthly run for Datacrédito: create (eligibility, facts, lines by COPY), validate, generate;
beside the same-run floor: a `COPY (SELECT <the columns the facts need> FROM portfolio_debt
JOIN portfolio_debtor ...) TO STDOUT` of the same debts. The layout is the registered
Datacrédito adapter if there is one, else a plain fixed-width bench layout. Uses DATABASE_URL
(default: a `cartera_bench` database on the local PostgreSQL), which it migrates and empties.
"""

import argparse
import datetime
import io
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

from bench.seeding import debts_seed, ensure_database, payments_seed  # noqa: E402
from bureau.layouts import base  # noqa: E402
from bureau.models import FurnishingRun  # noqa: E402
from bureau.services.runs import (  # noqa: E402
    SYSTEM,
    run_create,
    run_generate,
    run_submit,
    run_validate,
)
from core.bulk import phases_text  # noqa: E402
from portfolio.models import Creditor  # noqa: E402

SEED_AS_OF = datetime.date(2026, 6, 1)
PREVIOUS = datetime.date(2026, 5, 31)
CUT_OFF = datetime.date(2026, 6, 30)
BUREAU = "datacredito"
STAGES_SQL = """
    UPDATE portfolio_debt d SET stage = CASE
        WHEN d.balance = 0 THEN 'paid'
        WHEN %(as_of)s::date - d.due_date >= 46 THEN 'pre_legal'
        WHEN %(as_of)s::date - d.due_date >= 16 THEN 'firm_notice'
        WHEN %(as_of)s::date - d.due_date >= 1 THEN 'friendly_reminder'
        ELSE 'current' END,
        stage_entered_on = %(as_of)s::date
"""
# One notice per debt (two for small ones) on the cut-off minus 40 days; every 10th debt's
# notice 5 days before (too recent), every 13th none.
NOTICES_SQL = """
    WITH picked AS (
        SELECT d.id AS debt_id, d.creditor_id, d.debtor_id, k,
               CASE WHEN d.id %% 10 = 0 THEN %(recent)s::date ELSE %(early)s::date END
                   + (k - 1) * 3 AS on_day
          FROM portfolio_debt d
          CROSS JOIN LATERAL generate_series(1, CASE WHEN d.balance <= 300000 THEN 2 ELSE 1 END)
               AS k
         WHERE d.id %% 13 <> 0 AND d.stage IN ('firm_notice', 'pre_legal')
    ), messages AS (
        INSERT INTO messaging_message (creditor_id, debtor_id, channel, template, purpose, stage,
            language, business_date, "to", planned_for, sent_at, status, suppression_rule,
            suppression_reason, suppression_code, suppression_params, subject, body,
            provider_message_id, attempts, last_error, idempotency_key, created_at, updated_at)
        SELECT creditor_id, debtor_id, 'email', 'bureau_notice', 'collection', 'pre_legal', 'es',
               on_day, 'bench@example.com', on_day + interval '15 hours',
               on_day + interval '15 hours', 'delivered', '', '', '', '{}', '', '', '', 1, '',
               'bench-bureau:' || debt_id || ':' || k, now(), now()
          FROM picked
        RETURNING id, idempotency_key
    )
    INSERT INTO messaging_messagedebt (message_id, debt_id)
    SELECT m.id, split_part(m.idempotency_key, ':', 2)::bigint FROM messages m
"""
FLOOR_SQL = """
    SELECT d.id, d.debt_ref, d.product, d.currency, d.original_amount, d.balance, d.due_date,
           d.opened_date, d.stage, d.stage_entered_on, p.document_type, p.document_number,
           p.full_name, p.address_line, p.city, p.region, p.postal_code, p.country
      FROM portfolio_debt d JOIN portfolio_debtor p ON p.id = d.debtor_id
     WHERE d.id IN (SELECT debt_id FROM bureau_furnishedaccount WHERE run_id = {run})
"""


class BenchLayout:
    """A fixed-width line per account when no Datacrédito adapter is installed."""

    bureau, version, country, file_extension = BUREAU, "bench-1", "CO", "txt"

    def status_code(self, account):
        if account.action != "report":
            return "DA"
        return {"paid": "13", "settled": "62", "written_off": "97"}.get(
            account.state, "11" if account.days_late < 30 else "71"
        )

    def check(self, header, accounts):
        return []

    def render(self, header, accounts):
        lines = [
            f"{a.account_number:<20}{a.document_number:<15}{a.balance:>15}{a.days_late:>5}"
            f"{a.payment_history:<24}{a.action:<8}"
            for a in accounts
        ]
        return ("\n".join(lines) + "\n").encode()

    def parse(self, data):
        raise NotImplementedError


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def copy_floor(run_id: int) -> tuple[float, int]:
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.cursor.copy_expert(
            f"COPY ({FLOOR_SQL.format(run=int(run_id))}) TO STDOUT WITH (FORMAT csv)", buffer
        )
        seconds = time.perf_counter() - started
    return seconds, buffer.getvalue().count("\n")


def build(n: int) -> Creditor:
    debts_seed(n, as_of=SEED_AS_OF, balance="bands")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE bureau_furnishedaccount, bureau_furnishingrun CASCADE")
        cursor.execute(STAGES_SQL, {"as_of": SEED_AS_OF})
        # A portfolio file's opening date: the Colombian layouts require it.
        cursor.execute(
            "UPDATE portfolio_debt SET opened_date = due_date - 400 WHERE opened_date IS NULL"
        )
        cursor.execute(
            NOTICES_SQL,
            {
                "early": PREVIOUS - datetime.timedelta(days=40),
                "recent": CUT_OFF - datetime.timedelta(days=5),
            },
        )
    payments_seed(as_of=PREVIOUS, share=0.4, days=60)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return Creditor.objects.get(code="bench")


def pay_off_some() -> int:
    """After the previous run: every 7th reported debt paid off in June (the monthly run must
    report it paid, no longer late)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE portfolio_debt SET principal = 0, interest = 0, fees = 0, balance = 0, "
            "stage = 'paid', stage_entered_on = %s WHERE id %% 7 = 0 AND stage = 'pre_legal'",
            [datetime.date(2026, 6, 15)],
        )
        count = cursor.rowcount
        cursor.execute(
            "INSERT INTO portfolio_payment (creditor_id, debt_id, amount, currency, paid_at, "
            "method, source, reference, allocated_fees, allocated_interest, "
            "allocated_principal, created_at, updated_at) "
            "SELECT creditor_id, id, 1000000, 'COP', '2026-06-15 15:00+00', 'pse', 'file', "
            "'PAYOFF-' || id, 0, 0, 1000000, now(), now() FROM portfolio_debt "
            "WHERE id %% 7 = 0 AND stage = 'paid'",
            [],
        )
        cursor.execute("VACUUM ANALYZE portfolio_debt")
        cursor.execute("VACUUM ANALYZE portfolio_payment")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="Profile the monthly run.")
    args = parser.parse_args()
    ensure_database()
    call_command("migrate", verbosity=0)
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    if BUREAU not in base.layouts():
        base.layout_register(BenchLayout())
    layout = base.layout_for(BUREAU)
    print(f"building {args.debts:,} debts ...", flush=True)
    build_seconds, creditor = timed(lambda: build(args.debts))
    print(f"  built in {build_seconds:.1f} s; layout {type(layout).__name__} {layout.version}")

    def month(cut_off):
        steps = {}
        steps["create"], run = timed(
            lambda: run_create(creditor=creditor, bureau=BUREAU, cut_off=cut_off, user=SYSTEM)
        )
        steps["validate"], run = timed(lambda: run_validate(run=run, user=SYSTEM))
        if run.status != "validated":  # the layout's checks refused the bench's data
            raise SystemExit(f"the run did not validate: {run.findings[:3]}")
        steps["generate"], run = timed(lambda: run_generate(run=run, user=SYSTEM))
        return steps, run

    previous_steps, previous = month(PREVIOUS)
    run_submit(run=previous, user=SYSTEM)
    print(
        f"previous run {PREVIOUS}: {previous.accounts:,} accounts in "
        f"{sum(previous_steps.values()):.1f} s  {load()}",
        flush=True,
    )
    paid_off = pay_off_some()
    print(f"  {paid_off:,} debts paid off after it")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE bureau_furnishedaccount")
    if args.profile:
        profiler.enable()
    steps, run = month(CUT_OFF)
    if args.profile:
        profiler.disable()
        profiler.dump_stats("/tmp/bench_bureau.prof")
    total = sum(steps.values())
    floor_seconds, floor_rows = copy_floor(run.pk)
    actions = dict(
        FurnishingRun.objects.filter(pk=run.pk)
        .values_list("lines__action")
        .annotate(n=django.db.models.Count("lines"))
        .order_by()
    )
    print(f"debts: {args.debts:,}")
    print(
        f"monthly run {CUT_OFF}: {total:8.2f} s  {run.accounts:,} accounts "
        f"({', '.join(f'{n:,} {a}' for a, n in sorted(actions.items()))})  {load()}"
    )
    print("  steps: " + phases_text(steps, digits=1))
    codes = run.lines.values_list("status_code").annotate(n=django.db.models.Count("id")).order_by()
    print("  status codes: " + ", ".join(f"{code} {n:,}" for code, n in sorted(codes)))
    print(
        f"COPY floor (SELECT the facts' columns of those debts TO STDOUT): {floor_seconds:8.2f} s"
        f"  {floor_rows:,} rows  {load()}"
    )
    print(f"  ratio run / floor: {total / floor_seconds if floor_seconds else 0:.1f}x")
    print(f"  file {run.file_name}: {run.file.size:,} bytes, sha256 {run.checksum[:16]}...")


if __name__ == "__main__":
    main()
