"""Work queue and case page latency on gunicorn under concurrent collectors, beside a floor.

    .venv/bin/python bench/web.py                         # 20k debts, 100k timeline events
    .venv/bin/python bench/web.py --debts 1000000 --events 10000000 --think 1   # issue #17

Seeds (set-based SQL, once per size) a creditor, collectors, debtors with a consented phone
and an e-mail, their debts (one per debtor, about 2,000 per collector) and timeline events
(bench.seeding_events: logged contacts, messages, contact actions, stage changes, history
rows, payments; tasks, promises and holds on a share of the cases); starts gunicorn on
127.0.0.1 with a few workers and production settings (plus the bare view of bench.web_floor);
then `--users` threads, each logged in as a collector, GET their work queue (pages 1-3, with
and without filters), their cases' pages and the bare view (the floor: session and user, no
work) until `--requests` responses or `--seconds` have passed, back to back or with `--think`
seconds between a user's requests. Prints p50 / p95 / max per page beside the floor's, the
throughput and the load average before and after.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cartera_bench_web"
os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
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

CASES_PER_COLLECTOR = 2000


def seed(debts: int, events: int) -> None:
    """A creditor `bench-web` with `debts` debtors (one debt each, a consented phone and an
    e-mail), about 2,000 debts per collector, and `events` timeline events over the debts
    (bench.seeding_events); reused when a previous run seeded the same sizes."""
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from bench.seeding import RESET_TABLES
    from bench.seeding_events import events_seed
    from portfolio.models import Creditor, Debt

    creditor, _ = Creditor.objects.get_or_create(code="bench-web", defaults={"name": "Bench"})
    label = f"Bench {debts} debts {events} events"
    have = Debt.objects.filter(creditor=creditor).count()
    if have == debts and creditor.name == label:
        print(f"seed: reusing {have:,} debts, {events:,} events")
        return
    started = time.perf_counter()
    group = Group.objects.get_or_create(name="collector")[0]
    n_collectors = max(1, debts // CASES_PER_COLLECTOR)
    ids = []
    for i in range(n_collectors):
        user, _ = User.objects.get_or_create(username=f"bench-c{i}")
        user.groups.add(group)
        ids.append(user.pk)
    with connection.cursor() as cur:
        extra = [
            "messaging_contactaction",
            "portfolio_task",
            "agreements_promisetopay",
            "portfolio_debtordataaccess",
        ]
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename = ANY(%s)",
            [RESET_TABLES + extra],
        )
        tables = [row[0] for row in cur.fetchall()]
        cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        cur.execute(
            """
            INSERT INTO portfolio_debtor (created_at, updated_at, debtor_ref, document_type,
                document_number, full_name, address_line, city, region, postal_code, country,
                timezone, language, creditor_id)
            SELECT now(), now(), 'BD' || g, 'CC', (1000000000 + g)::text,
                   'Deudor ' || g, '', 'Bogotá', '', '', 'CO', 'America/Bogota', 'es', %s
            FROM generate_series(1, %s) g
            """,
            [creditor.pk, debts],
        )
        cur.execute(
            """
            INSERT INTO portfolio_contactpoint (created_at, updated_at, debtor_id, channel, value,
                is_primary, verified, consent_granted, consent_source)
            SELECT now(), now(), id, c.channel,
                   CASE c.channel WHEN 'voice' THEN '+57300' || lpad(id::text, 7, '0')
                        ELSE 'deudor' || id || '@example.com' END,
                   true, true, true, 'import'
            FROM portfolio_debtor, (VALUES ('voice'), ('email')) AS c(channel)
            WHERE creditor_id = %s
            """,
            [creditor.pk],
        )
        cur.execute(
            """
            INSERT INTO portfolio_debt (created_at, updated_at, debt_ref, product, currency,
                original_amount, principal, interest, fees, balance, due_date, stage,
                assigned_to_id, creditor_id, debtor_id)
            SELECT now(), now(), 'BW' || d.id, 'credit_card', 'COP', p + 1, p, 0, 0, p,
                   current_date - (abs(hashtext('due' || d.id)) %% 120)::int,
                   (ARRAY['friendly_reminder','firm_notice','pre_legal'])[1 + d.id %% 3],
                   (%s::int[])[1 + (d.id %% %s)], %s, d.id
            FROM (SELECT id, (100000 + (id * 7919) %% 9000000)::numeric(18,2) AS p
                  FROM portfolio_debtor WHERE creditor_id = %s) d
            """,
            [ids, len(ids), creditor.pk, creditor.pk],
        )
    inserted = events_seed(creditor_id=creditor.pk, events=events, as_of=datetime.date.today())
    with connection.cursor() as cur:
        # VACUUM, not only ANALYZE: a bulk-loaded table has no visibility map yet, so index-only
        # scans would visit the heap until autovacuum got round to it (mid-run, skewing figures).
        cur.execute("VACUUM ANALYZE")
    Creditor.objects.filter(pk=creditor.pk).update(name=label)
    print(
        f"seed: {debts:,} debts, {sum(inserted.values()):,} events ({inserted}),"
        f" {len(ids)} collectors in {time.perf_counter() - started:.0f} s"
    )


def sessions(count: int) -> list[tuple[str, list[int]]]:
    """(session cookie, some of the collector's debt ids) for the first `count` collectors."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from portfolio.models import Debt

    result = []
    for user in User.objects.filter(username__startswith="bench-c").order_by("id")[:count]:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        debt_ids = list(Debt.objects.filter(assigned_to=user).values_list("pk", flat=True)[:200])
        result.append((store.session_key, debt_ids))
    return result


QUEUE_QUERIES = ["", "?page=2", "?page=3", "?stage=firm_notice", "?dpd_min=30&dpd_max=90"]
# Share of each user's requests per page; the floor's are interleaved with the pages' so both
# meet the same load.
MIX = (("work queue", 0.4), ("case page", 0.4), ("bare view (floor)", 0.2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=100_000)
    add_load_arguments(parser, users=10, requests=600, port=8765)
    args = parser.parse_args()

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse

    from bench.seeding import ensure_database
    from bench.web_floor import FLOOR_URL

    ensure_database()

    call_command("migrate", verbosity=0)
    seed(args.debts, args.events)
    logins = sessions(args.users)
    queue_urls = [reverse("collections:queue") + query for query in QUEUE_QUERIES]

    def case_url(debt_id: int) -> str:
        return reverse("portfolio:debt-detail", args=[debt_id])

    def pick(index: int, rng: random.Random) -> tuple[str, str, str]:
        cookie, debt_ids = logins[index % len(logins)]
        draw = rng.random()
        if draw < MIX[0][1]:
            return MIX[0][0], rng.choice(queue_urls), cookie
        if draw < MIX[0][1] + MIX[1][1]:
            return MIX[1][0], case_url(rng.choice(debt_ids)), cookie
        return MIX[2][0], FLOOR_URL, cookie

    with gunicorn_serving(
        workers=args.workers, port=args.port, settings="bench.web_settings"
    ) as base:
        # warm up each worker (imports, template loading) before timing
        cookie, debt_ids = logins[0]
        for url in (queue_urls[0], case_url(debt_ids[0]), FLOOR_URL) * args.workers:
            assert get(base, url, cookie)[0] == 200
        print(f"debts {args.debts:,}, events {args.events:,}; load average before {_load()}")
        time_users(base=base, args=args, labels=[label for label, _ in MIX], pick=pick)
        print(f"load average after {_load()}")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
