"""The portal's start page: time for a known document beside an unknown one (issue #15).

    .venv/bin/python bench/portal_start.py [--requests 200]

Seeds debtors with an open debt and an SMS contact point, then POSTs the start page
(`/portal/`) with a debtor's document and with a document nobody has, alternating, each from a
fresh client and address and each known debtor once (a debtor gets 5 codes per 15 minutes; the
sixth request would only hit that limit), in process (Django's test client). Tasks are queued
on an in-memory broker as a worker would receive them, not run in the request (as in
production, where REDIS_URL is set). Prints the median and p90 of both paths side by side:
they should be the same (before the fix of #15: about 44 ms known, 23 ms unknown).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench_portal")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DJANGO_DEBUG"] = "false"

import django  # noqa: E402


def known(n: int) -> str:
    return f"70{n:08d}"


def unknown(n: int) -> str:
    return f"79{n:08d}"


def seed(count: int) -> None:
    """`count` debtors with an open debt and a consented SMS number, documents known(0..)."""
    from portfolio.models import ContactPoint, Creditor, Debt, Debtor

    creditor, _ = Creditor.objects.get_or_create(code="bench-portal", defaults={"name": "Bench"})
    have = set(Debtor.objects.filter(creditor=creditor).values_list("debtor_ref", flat=True))
    new = [
        Debtor(
            creditor=creditor,
            debtor_ref=f"BP-{n}",
            document_type="CC",
            document_number=known(n),
            full_name=f"Bench {n}",
        )
        for n in range(count)
        if f"BP-{n}" not in have
    ]
    Debtor.objects.bulk_create(new)
    ContactPoint.objects.bulk_create(
        ContactPoint(debtor=d, channel="sms", value=f"+5730{n:08d}", consent_granted=True)
        for n, d in enumerate(new)
    )
    Debt.objects.bulk_create(
        Debt(
            creditor=creditor,
            debtor=d,
            debt_ref=d.debtor_ref,
            product="personal_loan",
            currency="COP",
            original_amount=100000,
            principal=100000,
            balance=100000,
            due_date="2026-01-01",
            stage="firm_notice",
        )
        for d in new
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="per path")
    args = parser.parse_args()

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from bench.seeding import ensure_database
    from config.celery import app
    from portal.models import AccessCode, Throttle

    # Queue tasks like production does (no worker here): same work for both paths.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"

    ensure_database()
    call_command("migrate", verbosity=0)
    seed(args.requests)
    Throttle.objects.all().delete()  # the rate limits of an earlier run
    AccessCode.objects.all().delete()
    url = reverse("portal:home")
    timings = {"known": [], "unknown": []}
    for n in range(args.requests * 2):
        kind = "known" if n % 2 == 0 else "unknown"
        number = known(n // 2) if kind == "known" else unknown(n // 2)
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        client = Client(SERVER_NAME="localhost", REMOTE_ADDR=address)
        started = time.perf_counter()
        response = client.post(url, {"document_type": "CC", "document_number": number})
        timings[kind].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.status_code
    for kind in ("known", "unknown"):
        values = sorted(timings[kind][5:])  # the first requests warm caches up
        p90 = values[int(len(values) * 0.9)]
        median = statistics.median(values)
        print(f"{kind + ' document':>17}: median {median:6.2f} ms   p90 {p90:6.2f} ms")


if __name__ == "__main__":
    main()
