"""Dashboard and KPI API latency on the database bench/segments.py built (1M debts).

    .venv/bin/python bench/segments.py --debts 1000000   # once: builds and snapshots
    .venv/bin/python bench/dashboard.py --requests 50

Times GET /analytics/dashboard/ and GET /api/v1/kpis/ in-process (Django test client, no
network) for a manager of the bench creditor, several filter sets, and prints p50 / p95 / max
in ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench_segments")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from analytics.models import AgingSnapshot  # noqa: E402
from portfolio.models import Creditor, Debt, Payment  # noqa: E402

QUERIES = [
    {"date_from": "2026-05-03", "date_to": "2026-06-01"},
    {"date_from": "2026-05-03", "date_to": "2026-06-02", "creditor": "bench"},
    {"date_from": "2026-01-01", "date_to": "2026-06-02", "currency": "COP"},
]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    creditor = Creditor.objects.get(code="bench")
    if not AgingSnapshot.objects.filter(creditor=creditor).exists():
        sys.exit("Run bench/segments.py first (it builds the debts and the snapshots).")
    user, _ = User.objects.get_or_create(username="bench-manager")
    user.groups.add(Group.objects.get_or_create(name="manager")[0])
    creditor.managers.add(user)
    client = Client()
    client.force_login(user)
    print(f"debts {Debt.objects.count():,}, payments {Payment.objects.count():,}")
    for label, url in (
        ("dashboard page", reverse("analytics:dashboard")),
        ("KPI API", "/api/v1/kpis/"),
    ):
        timings = []
        for n in range(args.requests):
            started = time.perf_counter()
            response = client.get(url, QUERIES[n % len(QUERIES)])
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        print(
            f"{label:<15} p50 {statistics.median(timings):7.1f} ms  p95 {pct(timings, 95):7.1f} ms"
            f"  max {max(timings):7.1f} ms  ({args.requests} requests)"
        )


if __name__ == "__main__":
    main()
