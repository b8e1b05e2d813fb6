"""Benchmark the portfolio import against a plain COPY of the same file.

    .venv/bin/python bench/import_portfolio.py --rows 100000 [--keep]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/cartera_bench), migrates it,
generates a realistic file with numpy, imports it with the service (timed), re-imports it
(a no-op, timed) and times a COPY of the file into an unindexed all-text table.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

FIRST = np.array(["Luz Ángela", "Jesús", "María José", "Camila", "Santiago", "Emily", "Mateo"])
LAST = np.array(["Rodríguez", "Peña", "Muñoz", "Smith", "García", "Ibáñez", "López", "Pérez"])
PRODUCTS = np.array(["credit_card", "personal_loan", "auto_loan", "microcredit", "telecom"])
MX_REGIONS = np.array(["CDMX", "Jalisco", "Nuevo León", "Baja California", "Quintana Roo"])
US_REGIONS = np.array(["NY", "CA", "TX", "FL", "IL"])


def _money(rng, low, high, n):
    cents = rng.integers(low * 100, high * 100, n)
    return (
        pd.Series(cents // 100).astype(str) + "." + pd.Series(cents % 100).astype(str).str.zfill(2)
    )


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A file like a bank's: ~1.4 debts per debtor, 80% phones, 70% e-mails, CO/MX/US."""
    rng = np.random.default_rng(seed)
    debtors = max(1, int(rows / 1.4))
    debtor_idx = np.sort(rng.integers(0, debtors, rows))
    country = np.array(["CO", "MX", "US"])[debtor_idx % 10 // 4 % 3]
    ref = pd.Series(debtor_idx).astype(str).str.zfill(8)
    national = pd.Series(3_000_000_000 + debtor_idx * 7 % 999_999_999).astype(str)
    phone = np.where(
        country == "CO",
        "+57" + national,
        np.where(country == "MX", "+52" + "55" + national.str[-8:], "+1212555" + national.str[-4:]),
    )
    phone = np.where(debtor_idx % 5 == 0, "", phone)
    email = np.where(debtor_idx % 10 < 7, "deudor" + ref + "@example.com", "")
    region = np.where(
        country == "MX",
        MX_REGIONS[debtor_idx % 5],
        np.where(country == "US", US_REGIONS[debtor_idx % 5], ""),
    )
    principal_cents = rng.integers(10_000, 50_000_000, rows)
    interest_cents = principal_cents // rng.integers(5, 40, rows)
    fees_cents = rng.integers(0, 200_000, rows)
    original_cents = principal_cents + rng.integers(1, 20_000_000, rows)

    def fmt(cents):
        s = pd.Series(cents)
        return (s // 100).astype(str) + "." + (s % 100).astype(str).str.zfill(2)

    due = pd.Timestamp("2025-06-01") + pd.to_timedelta(rng.integers(0, 400, rows), unit="D")
    opened = due - pd.to_timedelta(rng.integers(100, 2000, rows), unit="D")
    bools = np.array(["false", "true"])
    frame = pd.DataFrame(
        {
            "debtor_ref": "D" + ref,
            "document_type": np.where(
                country == "CO", "CC", np.where(country == "MX", "CURP", "SSN")
            ),
            "document_number": pd.Series(1_000_000_000 + debtor_idx).astype(str),
            "full_name": pd.Series(FIRST[debtor_idx % 7])
            + " "
            + LAST[debtor_idx % 8]
            + " "
            + LAST[(debtor_idx // 8) % 8],
            "email": email,
            "phone": phone,
            "address_line": "Calle " + pd.Series(debtor_idx % 200).astype(str) + " # 12-34",
            "city": np.where(
                country == "CO", "Bogotá", np.where(country == "MX", "Ciudad de México", "New York")
            ),
            "region": region,
            "postal_code": pd.Series(10000 + debtor_idx % 89999).astype(str),
            "country": country,
            "timezone": "",
            "language": "",
            "consent_email": bools[debtor_idx % 2],
            "consent_sms": bools[(debtor_idx // 2) % 2],
            "consent_whatsapp": bools[(debtor_idx // 3) % 2],
            "consent_voice": "true",
            "debt_ref": "OBL-" + pd.Series(np.arange(rows)).astype(str).str.zfill(10),
            "product": PRODUCTS[rng.integers(0, len(PRODUCTS), rows)],
            "currency": np.where(country == "CO", "COP", np.where(country == "MX", "MXN", "USD")),
            "original_amount": fmt(original_cents),
            "principal": fmt(principal_cents),
            "interest": fmt(interest_cents),
            "fees": fmt(fees_cents),
            "due_date": due.strftime("%Y-%m-%d"),
            "opened_date": opened.strftime("%Y-%m-%d"),
        }
    )
    frame.to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the imported rows and file")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from imports.models import ImportBatch
    from imports.services.portfolio_file import import_batch_create, import_batch_run
    from imports.services.portfolio_file.writing import TIMINGS
    from portfolio.models import ContactPoint, Creditor, Debt, Debtor

    call_command("migrate", verbosity=0)
    workdir = Path(tempfile.mkdtemp(prefix="cartera-bench-"))
    path = workdir / f"bench-{args.rows}.csv"
    started = time.perf_counter()
    generate(path, args.rows)
    print(
        f"generated {args.rows} rows ({path.stat().st_size / 1e6:.1f} MB) "
        f"in {time.perf_counter() - started:.1f} s"
    )

    code = f"bench-{args.rows}-{int(time.time())}"
    creditor = Creditor.objects.create(code=code, name=code)

    def run(label):
        t0 = time.perf_counter()
        batch = import_batch_create(kind=ImportBatch.Kind.PORTFOLIO, creditor=creditor, path=path)
        batch = import_batch_run(batch_id=batch.id)
        seconds = time.perf_counter() - t0
        print(
            f"{label}: {batch.status} rows={batch.rows_total} created={batch.created_count} "
            f"updated={batch.updated_count} unchanged={batch.unchanged_count} "
            f"rejected={batch.rejected_count} debtors={batch.debtors_created} "
            f"{seconds:.1f} s {args.rows / seconds:,.0f} rows/s"
        )
        if batch.error_message:
            print("  error:", batch.error_message)
        print("  phases: " + ", ".join(f"{name} {secs:.2f}" for name, secs in TIMINGS.items()))
        return seconds, batch

    first, batch = run("import")
    again, _batch = run("re-import (no-op)")

    with connection.cursor() as cursor:
        header = path.open(encoding="utf-8").readline().strip().split(",")
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(f"CREATE TABLE bench_copy ({', '.join(f'{c} text' for c in header)})")
        t0 = time.perf_counter()
        with path.open(encoding="utf-8") as handle:
            cursor.cursor.copy_expert(
                "COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER)", handle
            )
        copy_seconds = time.perf_counter() - t0
        cursor.execute("DROP TABLE bench_copy")
    print(f"plain COPY: {copy_seconds:.1f} s {args.rows / copy_seconds:,.0f} rows/s")
    print(
        f"ratio import/COPY: {first / copy_seconds:.1f}x; "
        f"re-import/COPY: {again / copy_seconds:.1f}x"
    )
    print(
        f"db now holds debts={Debt.objects.filter(creditor=creditor).count()} "
        f"debtors={Debtor.objects.filter(creditor=creditor).count()} "
        f"contact points={ContactPoint.objects.filter(debtor__creditor=creditor).count()}"
    )

    if not args.keep:
        t0 = time.perf_counter()
        for stored in ImportBatch.objects.filter(creditor=creditor):
            stored.file.delete(save=False)
        with connection.cursor() as cursor:
            for table, where in (
                ("portfolio_historicaldebt", "creditor_id = %s"),
                ("portfolio_historicaldebtor", "creditor_id = %s"),
                (
                    "portfolio_historicalcontactpoint",
                    "debtor_id IN (SELECT id FROM portfolio_debtor WHERE creditor_id = %s)",
                ),
                (
                    "portfolio_consentevent",
                    "contact_point_id IN (SELECT cp.id FROM portfolio_contactpoint cp"
                    " JOIN portfolio_debtor d ON d.id = cp.debtor_id WHERE d.creditor_id = %s)",
                ),
                (
                    "portfolio_contactpoint",
                    "debtor_id IN (SELECT id FROM portfolio_debtor WHERE creditor_id = %s)",
                ),
                ("portfolio_debt", "creditor_id = %s"),
                ("portfolio_debtor", "creditor_id = %s"),
                (
                    "imports_importrowerror",
                    "batch_id IN (SELECT id FROM imports_importbatch WHERE creditor_id = %s)",
                ),
                ("imports_importbatch", "creditor_id = %s"),
                ("portfolio_portfolio", "creditor_id = %s"),
                ("portfolio_creditor", "id = %s"),
            ):
                cursor.execute(f"DELETE FROM {table} WHERE {where}", [creditor.id])
        path.unlink()
        print(f"cleaned up in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
