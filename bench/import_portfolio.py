"""Benchmark the portfolio import against a plain COPY of the same file, on a fresh database.

    .venv/bin/python bench/import_portfolio.py --rows 100000 --database cartera_bench_1 [--keep]

Creates the database `--database` on the server of DATABASE_URL (it must not exist: every run
starts from an empty, freshly migrated database, as a first installation's import does),
generates a realistic file with numpy, and times, each beside the same-run floors:

- the floors: `COPY` of the file into an all-text UNLOGGED table and into a logged one of the
  same shape (no indexes, no constraints);
- the first import (the creditor's and the database's first load);
- the identical file again (recognised by its SHA-256);
- a changed file (one row in CHANGE_EVERY with a new principal): only those debts change.

Each line carries the load average (the machine is shared: read the ratios). The database is
dropped at the end unless --keep.
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


# The changed file moves the principal of one debt in this many.
CHANGE_EVERY = 100


def generate(path: Path, rows: int, seed: int = 7, changed: bool = False) -> None:
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
    if changed:
        principal_cents[::CHANGE_EVERY] -= 1
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


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def _database_create(server_url: str, name: str) -> str:
    """Create database `name` on the server of `server_url`; return its URL."""
    import psycopg2
    from psycopg2 import sql

    base, _sep, _old = server_url.rpartition("/")
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    return f"{base}/{name}"


def _database_drop(server_url: str, name: str) -> None:
    import psycopg2
    from psycopg2 import sql

    base, _sep, _old = server_url.rpartition("/")
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--database", required=True, help="name of a database to create (must not exist)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    os.environ["DATABASE_URL"] = _database_create(server_url, args.database)
    try:
        _bench(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _database_drop(server_url, args.database)
            print(f"dropped database {args.database}")


def _bench(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from imports.models import ImportBatch
    from imports.services.portfolio_file import import_batch_create, import_batch_run
    from imports.services.portfolio_file.writing import TIMINGS
    from portfolio.models import ConsentEvent, ContactPoint, Creditor, Debt, Debtor

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM portfolio_debt")
        debts_before = cursor.fetchone()[0]
    print(
        f"fresh database {args.database}: created and migrated in "
        f"{time.perf_counter() - started:.1f} s, {debts_before} debts"
    )
    workdir = Path(tempfile.mkdtemp(prefix="cartera-bench-"))
    path = workdir / f"bench-{args.rows}.csv"
    changed_path = workdir / f"bench-{args.rows}-changed.csv"
    started = time.perf_counter()
    generate(path, args.rows)
    generate(changed_path, args.rows, changed=True)
    print(
        f"generated {args.rows} rows ({path.stat().st_size / 1e6:.1f} MB) and the changed "
        f"file in {time.perf_counter() - started:.1f} s"
    )

    def copy_floor(unlogged: bool) -> float:
        header = path.open(encoding="utf-8").readline().strip().split(",")
        kind = "UNLOGGED " if unlogged else ""
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy")
            cursor.execute(
                f"CREATE {kind}TABLE bench_copy ({', '.join(f'{c} text' for c in header)})"
            )
        t0 = time.perf_counter()
        with connection.cursor() as cursor, path.open(encoding="utf-8") as handle:
            cursor.cursor.copy_expert(
                "COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER)", handle
            )
        seconds = time.perf_counter() - t0
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_copy")
        return seconds

    # Autocommit: each COPY commits (a logged COPY's cost includes its WAL flush).
    unlogged = copy_floor(unlogged=True)
    logged = copy_floor(unlogged=False)
    print(
        f"floor COPY unlogged: {unlogged:.2f} s; floor COPY logged: {logged:.2f} s "
        f"({args.rows / logged:,.0f} rows/s) [{_load()}]"
    )

    code = f"bench-{args.rows}"
    creditor = Creditor.objects.create(code=code, name=code)

    def run(label, file_path):
        t0 = time.perf_counter()
        batch = import_batch_create(
            kind=ImportBatch.Kind.PORTFOLIO, creditor=creditor, path=file_path
        )
        batch = import_batch_run(batch_id=batch.id)
        seconds = time.perf_counter() - t0
        print(
            f"{label}: {batch.status} rows={batch.rows_total} created={batch.created_count} "
            f"updated={batch.updated_count} unchanged={batch.unchanged_count} "
            f"rejected={batch.rejected_count} debtors={batch.debtors_created}: "
            f"{seconds:.2f} s = {seconds / unlogged:.1f}x COPY unlogged, "
            f"{seconds / logged:.1f}x COPY logged [{_load()}]"
        )
        if batch.error_message:
            print("  error:", batch.error_message)
        print("  phases: " + ", ".join(f"{name} {secs:.2f}" for name, secs in TIMINGS.items()))
        return seconds

    run("import (fresh database)", path)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM portfolio_historicaldebt),"
            " (SELECT count(*) FROM portfolio_historicaldebtor),"
            " (SELECT count(*) FROM portfolio_historicalcontactpoint)"
        )
        history = cursor.fetchone()
    print(
        f"  db holds debts={Debt.objects.count()} debtors={Debtor.objects.count()} "
        f"contact points={ContactPoint.objects.count()} "
        f"consent events={ConsentEvent.objects.count()} "
        f"history rows (debt, debtor, contact point)={history}"
    )
    run("identical re-import", path)
    run(f"changed file (1 debt in {CHANGE_EVERY})", changed_path)
    # The floors again, now the machine has done the work: the pair brackets the import.
    unlogged_after = copy_floor(unlogged=True)
    logged_after = copy_floor(unlogged=False)
    print(
        f"floor COPY again: unlogged {unlogged_after:.2f} s; logged {logged_after:.2f} s "
        f"[{_load()}]"
    )
    if not args.keep:
        for stored in ImportBatch.objects.filter(creditor=creditor):
            stored.file.delete(save=False)
        path.unlink()
        changed_path.unlink()


if __name__ == "__main__":
    main()
