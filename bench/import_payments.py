"""Benchmark the payments file import.

    .venv/bin/python bench/import_payments.py --debts 50000 --rows 100000

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/cartera_bench_payments), migrates
it, seeds a creditor with `--debts` open debts (bulk, no history), writes a payments file of
`--rows` rows (about 1 in 10 debts paid in full), then times the import and a re-import (a
no-op: every reference is already recorded).
"""

import argparse
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench_payments")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def seed(debts: int):
    from django.db import connection

    from portfolio.models import Creditor, Debt, Debtor

    # The bench database is ours alone: start from empty ledger tables.
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE portfolio_historicalpayment, portfolio_payment, portfolio_historicaldebt,"
            " portfolio_debt, portfolio_historicaldebtor, portfolio_debtor CASCADE"
        )
    creditor, _ = Creditor.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    debtors = Debtor.objects.bulk_create(
        [
            Debtor(
                creditor=creditor,
                debtor_ref=f"D{i:08d}",
                document_type="CC",
                document_number=str(1_000_000_000 + i),
                full_name=f"Deudor {i}",
                country="CO",
                timezone="America/Bogota",
            )
            for i in range(debts)
        ],
        batch_size=5000,
    )
    Debt.objects.bulk_create(
        [
            Debt(
                creditor=creditor,
                debtor=debtor,
                debt_ref=f"OBL-{i:08d}",
                product="credit_card",
                currency="COP",
                original_amount=Decimal("2000.00"),
                principal=Decimal("1000.00"),
                interest=Decimal("100.00"),
                fees=Decimal("20.00"),
                balance=Decimal("1120.00"),
                due_date="2026-06-01",
                stage="firm_notice",
            )
            for i, debtor in enumerate(debtors)
        ],
        batch_size=5000,
    )
    return creditor


def write_file(path: Path, *, debts: int, rows: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    debt_idx = rng.integers(0, debts, rows)
    lines = ["debt_ref,amount,currency,paid_at,method,reference"]
    for n, i in enumerate(debt_idx):
        # One debt in ten is paid in full by its first payment; the rest pay small amounts.
        amount = "1120.00" if i % 10 == 0 else f"{(n % 50) + 1}.{n % 100:02d}"
        day = 1 + n % 28
        lines.append(f"OBL-{i:08d},{amount},COP,2026-10-{day:02d}T10:00:00-05:00,pse,PAY-{n:09d}")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--debts", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from imports.models import ImportBatch
    from imports.services.payments_file import TIMINGS, payments_import_run
    from imports.services.portfolio_file import import_batch_create
    from portfolio.models import Debt, Payment

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    creditor = seed(args.debts)
    print(f"seeded {args.debts} debts in {time.perf_counter() - started:.1f}s")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pagos.csv"
        write_file(path, debts=args.debts, rows=args.rows)
        for label in ("import", "re-import"):
            batch = import_batch_create(
                kind=ImportBatch.Kind.PAYMENTS, creditor=creditor, path=path, source="bench"
            )
            started = time.perf_counter()
            batch = payments_import_run(batch=batch)
            elapsed = time.perf_counter() - started
            print(
                f"{label}: {elapsed:.1f}s ({args.rows / elapsed:,.0f} rows/s) "
                f"status={batch.status} "
                f"created={batch.created_count} unchanged={batch.unchanged_count} "
                f"rejected={batch.rejected_count}"
            )
            print("  " + " ".join(f"{k}={v:.2f}s" for k, v in TIMINGS.items()))
    print(
        f"payments={Payment.objects.count()} paid debts={Debt.objects.filter(stage='paid').count()}"
    )


if __name__ == "__main__":
    main()
