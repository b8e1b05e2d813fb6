"""Dashboard and KPI API latency on gunicorn at 1M debts and 10M history events.

    .venv/bin/python bench/dashboard_load.py --debts 1000000 --events 10000000

Seeds (bench/seeding.py, set-based SQL; reused when the database already has that size) one
creditor with N debts dealt to collectors and E events: payments (20 %), outbox messages
(30 %, each linked to its debt), collector interactions (30 %) and stage changes (20 %),
spread over the 90 days before the business date. Runs the nightly job for that date (segments
and snapshots) and rebuilds the collection-day and activity snapshots of the 90 days. Then
checks that the dashboard's queries read only snapshot tables (each query's EXPLAIN: no scan of
a raw-history table), starts gunicorn with production settings and has `--users` threads,
logged in as managers of the creditor, GET the dashboard page and /api/v1/kpis/ (three filter
sets; `--think` seconds between a user's requests, back to back by default) until `--requests`
responses or `--seconds`. Prints p50 / p95 / max per endpoint.
Uses DATABASE_URL (default: a `cartera_bench_dashboard` database), which it migrates.
"""

import argparse
import datetime
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench_dashboard")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
from bench.serving import (  # noqa: E402
    BENCH_KEY,
    add_load_arguments,
    get,
    gunicorn_serving,
    time_users,
)

# The sessions made here must be readable by the server: one key for both.
os.environ["DJANGO_SECRET_KEY"] = BENCH_KEY

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.seeding import (  # noqa: E402
    debts_seed,
    ensure_database,
    history_seed,
    payments_seed,
)

AS_OF = datetime.date(2026, 6, 1)
DAYS = 90
COLLECTORS = 50
QUERIES = [
    "date_from=2026-05-03&date_to=2026-06-01",
    "date_from=2026-05-03&date_to=2026-06-01&creditor=bench",
    "date_from=2026-03-03&date_to=2026-06-01&currency=COP",
]
# What the dashboard must never read: tables that grow with the history.
RAW_TABLES = (
    "portfolio_debt",
    "portfolio_payment",
    "messaging_message",
    "messaging_messagedebt",
    "collections_app_interaction",
    "portfolio_stagechange",
    "agreements_promisetopay",
    "agreements_instalment",
)


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


def seed(debts: int, events: int) -> None:
    """Build the portfolio, its history and its snapshots (skipped when already that size)."""
    from django.contrib.auth.models import Group, User

    from analytics.models import NightlyRun
    from analytics.services.nightly import nightly_run
    from analytics.services.rules import segment_ensure_defaults
    from analytics.services.snapshots import collection_days_backfill

    history = sum(
        _count(t)
        for t in (
            "portfolio_payment",
            "messaging_message",
            "collections_app_interaction",
            "portfolio_stagechange",
        )
    )
    done = NightlyRun.objects.filter(as_of=AS_OF, status=NightlyRun.Status.COMPLETED).exists()
    if _count("portfolio_debt") == debts and history >= events * 0.9 and done:
        print(f"seed: reusing {debts:,} debts and {history:,} events")
        return
    started = time.perf_counter()
    group = Group.objects.get_or_create(name="collector")[0]
    collectors = []
    for i in range(COLLECTORS):
        user, _ = User.objects.get_or_create(username=f"bench-dc{i}")
        user.groups.add(group)
        collectors.append(user.pk)
    debts_seed(
        debts,
        as_of=AS_OF,
        balance="bands",
        original_amount=30_000_000,
        collector_ids=collectors,
    )
    # payments_seed gives a debt two payments on average when every debt pays.
    payments = payments_seed(as_of=AS_OF, share=min(1.0, events * 0.2 / 2 / debts), days=DAYS)
    print(f"  debts and {payments:,} payments in {time.perf_counter() - started:.0f} s", flush=True)
    step = time.perf_counter()
    history_seed(
        as_of=AS_OF,
        messages=int(events * 0.3),
        interactions=int(events * 0.3),
        stage_changes=int(events * 0.2),
        days=DAYS,
    )
    print(f"  messages, interactions, stage changes in {time.perf_counter() - step:.0f} s")
    segment_ensure_defaults()
    step = time.perf_counter()
    run = nightly_run(as_of=AS_OF)
    print(f"  nightly job in {time.perf_counter() - step:.0f} s ({run.debts:,} debts)")
    step = time.perf_counter()
    collection_days_backfill(start=AS_OF - datetime.timedelta(days=DAYS), end=AS_OF)
    seconds = time.perf_counter() - step
    print(f"  {DAYS} days of collection and activity snapshots in {seconds:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seed: done in {time.perf_counter() - started:.0f} s", flush=True)


def manager_sessions(count: int) -> list[str]:
    """Session cookies of `count` managers of the bench creditor."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore

    from portfolio.models import Creditor

    creditor = Creditor.objects.get(code="bench")
    group = Group.objects.get_or_create(name="manager")[0]
    cookies = []
    for i in range(count):
        user, _ = User.objects.get_or_create(username=f"bench-manager{i}")
        user.groups.add(group)
        creditor.managers.add(user)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(store.session_key)
    return cookies


def explain_check() -> list[str]:
    """Run each endpoint once in-process; EXPLAIN every query; the raw-table scans found."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(User.objects.get(username="bench-manager0"))
    problems, total = [], 0
    for url in ENDPOINTS.values():
        for query in QUERIES:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"{url}?{query}").status_code == 200
            for entry in captured.captured_queries:
                sql = entry["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                total += 1
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN {sql}")
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                for table in RAW_TABLES:
                    if re.search(rf"Scan (using \S+ )?on {table}\b", plan):
                        problems.append(f"{url}?{query}: {table}: {sql[:160]}")
    print(f"EXPLAIN: {total} SELECTs of the dashboard and the API checked")
    return problems


ENDPOINTS = {"dashboard page": reverse("analytics:dashboard"), "KPI API": "/api/v1/kpis/"}


def serve_and_time(args, cookies: list[str]) -> None:
    def pick(index: int, rng: random.Random) -> tuple[str, str, str]:
        label = rng.choice(list(ENDPOINTS))
        return label, f"{ENDPOINTS[label]}?{rng.choice(QUERIES)}", cookies[index % len(cookies)]

    with gunicorn_serving(workers=args.workers, port=args.port) as base:
        # Warm every worker up (imports, templates, connections) before timing.
        for _ in range(args.workers * 2):
            for path in ENDPOINTS.values():
                assert get(base, f"{path}?{QUERIES[0]}", cookies[0])[0] == 200
        time_users(base=base, args=args, labels=list(ENDPOINTS), pick=pick)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    add_load_arguments(parser, users=5, requests=300, port=8767)
    args = parser.parse_args()
    ensure_database()
    call_command("migrate", verbosity=0)
    seed(args.debts, args.events)
    cookies = manager_sessions(args.users)
    problems = explain_check()
    for problem in problems:
        print(f"  raw-history scan: {problem}")
    serve_and_time(args, cookies)
    print(f"debts {_count('portfolio_debt'):,}; load average {os.getloadavg()}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
