"""Benchmark the agreements step of the daily cycle on PostgreSQL.

    .venv/bin/python bench/agreements_cycle.py --debts 100000 --agreements 5000

Builds N open debts (as bench/cycle.py does) and puts K of them under active agreements
(bulk inserts, 4 monthly instalments each) whose due dates are spread so that on the business
date some agreements get an instalment reminder, some a missed-instalment notice and some
break; adds K/2 pending promises. Then times the agreements step alone
(`agreements_cycle_day`), the full cycle with it, and the rerun of the same date. Uses
DATABASE_URL (default: a `cartera_bench` database on the local PostgreSQL), which it empties.
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

from dateutil.relativedelta import relativedelta  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from agreements.models import (  # noqa: E402
    AgreementDebt,
    Instalment,
    PaymentAgreement,
    PromiseToPay,
)
from agreements.services.cycle import agreements_cycle_day  # noqa: E402
from bench.cycle import AS_OF, build, ensure_database  # noqa: E402
from collections_app.services.cycle import cycle_run_date  # noqa: E402
from portfolio.models import Debt  # noqa: E402


def add_agreements(k: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE agreements_agreementchange, agreements_instalment, agreements_agreementdebt,"
            " agreements_forgiveness, agreements_paymentagreement, agreements_promisetopay,"
            " portfolio_task CASCADE"
        )
    debts = list(
        Debt.objects.filter(balance__gt=0)
        .order_by("pk")
        .values("id", "creditor_id", "debtor_id")[:k]
    )
    agreements, lines, instalments = [], [], []
    for i, debt in enumerate(debts):
        # first due dates spread around the business date: reminders, notices and breaks
        first = AS_OF + datetime.timedelta(days=(i % 40) - 30)
        agreements.append(
            PaymentAgreement(
                creditor_id=debt["creditor_id"],
                debtor_id=debt["debtor_id"],
                kind="instalment_plan",
                status="active",
                currency="COP",
                balance_at_start=Decimal("500000"),
                discount_amount=0,
                discount_pct=0,
                agreed_total=Decimal("500000"),
                instalment_count=4,
                frequency="monthly",
                first_due_date=first,
                grace_days=5,
                channel="phone",
                proposed_on=first - datetime.timedelta(days=5),
                activated_on=first - datetime.timedelta(days=5),
            )
        )
    with transaction.atomic():
        PaymentAgreement.objects.bulk_create(agreements, batch_size=2000)
        for debt, agreement in zip(debts, agreements, strict=True):
            lines.append(
                AgreementDebt(
                    agreement=agreement,
                    debt_id=debt["id"],
                    stage_at_start="firm_notice",
                    balance_at_start=Decimal("500000"),
                    share=Decimal("500000"),
                )
            )
            for n in range(1, 5):
                instalments.append(
                    Instalment(
                        agreement=agreement,
                        number=n,
                        due_date=agreement.first_due_date + relativedelta(months=n - 1),
                        amount=Decimal("125000"),
                    )
                )
        AgreementDebt.objects.bulk_create(lines, batch_size=5000)
        Instalment.objects.bulk_create(instalments, batch_size=5000)
        PromiseToPay.objects.bulk_create(
            [
                PromiseToPay(
                    debt_id=debt["id"],
                    debtor_id=debt["debtor_id"],
                    amount=Decimal("10000"),
                    currency="COP",
                    promised_date=AS_OF - datetime.timedelta(days=i % 6),
                    channel="phone",
                    made_on=AS_OF - datetime.timedelta(days=10),
                )
                for i, debt in enumerate(
                    Debt.objects.filter(balance__gt=0)
                    .order_by("-pk")
                    .values("id", "debtor_id")[: k // 2]
                )
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=100_000)
    parser.add_argument("--agreements", type=int, default=5_000)
    args = parser.parse_args()
    ensure_database()
    call_command("migrate", verbosity=0)
    print(f"building {args.debts:,} debts and {args.agreements:,} agreements ...", flush=True)
    build_seconds, _ = timed(lambda: (build(args.debts), add_agreements(args.agreements)))
    print(f"  built in {build_seconds:.1f} s")

    def step_only():
        with transaction.atomic():
            frozen = agreements_cycle_day(business_date=AS_OF)
            transaction.set_rollback(True)  # measure again inside the full cycle below
        return frozen

    step_seconds, frozen = timed(step_only)
    cycle_seconds, first = timed(lambda: cycle_run_date(business_date=AS_OF))
    rerun_seconds, _ = timed(lambda: cycle_run_date(business_date=AS_OF))
    broken = PaymentAgreement.objects.filter(status="broken").count()
    judged = PromiseToPay.objects.exclude(status="pending").count()
    print(f"debts: {args.debts:,}, active agreements: {args.agreements:,}")
    print(f"agreements step alone:         {step_seconds:8.2f} s  frozen debts {len(frozen):,}")
    print(
        f"full cycle with the step:      {cycle_seconds:8.2f} s  broken {broken:,}, "
        f"promises judged {judged:,}, contact actions {first.run.actions_planned:,}"
    )
    print(f"rerun of the same date:        {rerun_seconds:8.2f} s")


if __name__ == "__main__":
    main()
