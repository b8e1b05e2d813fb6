"""Work queue and case page latency on gunicorn under concurrent collectors.

    .venv/bin/python bench/web.py                         # 20k debts, 100k timeline events
    .venv/bin/python bench/web.py --debts 1000000 --events 5000000   # the issue's target size

Seeds (set-based SQL, once per size) a creditor, collectors, debtors with a voice contact
point, their debts (one per debtor, about 2,000 per collector) and timeline events (logged
calls and stage changes, spread over the debts); starts gunicorn on 127.0.0.1 with a few
workers and production settings; then `--users` threads, each logged in as a collector, GET
their work queue (pages 1-3, with and without filters) and their cases' pages until
`--requests` responses or `--seconds` have passed, back to back or with `--think` seconds
between a user's requests. Prints p50 / p95 / max per page and the throughput.
"""

import argparse
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
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from portfolio.models import Creditor, Debt

    creditor, _ = Creditor.objects.get_or_create(code="bench-web", defaults={"name": "Bench"})
    have = Debt.objects.filter(creditor=creditor).count()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM collections_app_interaction i JOIN portfolio_debt d"
            " ON d.id = i.debt_id WHERE d.creditor_id = %s",
            [creditor.pk],
        )
        have_events = cur.fetchone()[0]
    if have == debts and have_events >= events // 2:
        print(f"seed: reusing {have:,} debts, ~{have_events * 2:,} events")
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
        cur.execute(
            "DELETE FROM collections_app_interaction WHERE debtor_id IN"
            " (SELECT id FROM portfolio_debtor WHERE creditor_id = %s)",
            [creditor.pk],
        )
        cur.execute(
            "DELETE FROM portfolio_stagechange WHERE debt_id IN"
            " (SELECT id FROM portfolio_debt WHERE creditor_id = %s)",
            [creditor.pk],
        )
        cur.execute("DELETE FROM portfolio_debt WHERE creditor_id = %s", [creditor.pk])
        cur.execute(
            "DELETE FROM portfolio_contactpoint WHERE debtor_id IN"
            " (SELECT id FROM portfolio_debtor WHERE creditor_id = %s)",
            [creditor.pk],
        )
        cur.execute("DELETE FROM portfolio_debtor WHERE creditor_id = %s", [creditor.pk])
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
            SELECT now(), now(), id, 'voice', '+57300' || lpad(id::text, 7, '0'), true, true,
                   true, 'import'
            FROM portfolio_debtor WHERE creditor_id = %s
            """,
            [creditor.pk],
        )
        cur.execute(
            """
            INSERT INTO portfolio_debt (created_at, updated_at, debt_ref, product, currency,
                original_amount, principal, interest, fees, balance, due_date, stage,
                assigned_to_id, creditor_id, debtor_id)
            SELECT now(), now(), 'BW' || d.id, 'credit_card', 'COP', p + 1, p, 0, 0, p,
                   current_date - (d.id %% 120)::int,
                   (ARRAY['friendly_reminder','firm_notice','pre_legal'])[1 + d.id %% 3],
                   (%s::int[])[1 + (d.id %% %s)], %s, d.id
            FROM (SELECT id, (100000 + (id * 7919) %% 9000000)::numeric(18,2) AS p
                  FROM portfolio_debtor WHERE creditor_id = %s) d
            """,
            [ids, len(ids), creditor.pk, creditor.pk],
        )
        half = events // 2
        cur.execute(
            """
            INSERT INTO collections_app_interaction (debt_id, debtor_id, collector_id, channel,
                outcome, note, nonpayment_reason, occurred_at, created_at)
            SELECT d.id, d.debtor_id, d.assigned_to_id, 'call',
                   (ARRAY['no_answer','right_party_contact','wrong_number'])[1 + g %% 3],
                   'bench', '', now() - (g %% 90000) * interval '1 minute', now()
            FROM generate_series(1, %s) g
            JOIN portfolio_debt d ON d.id = (SELECT min(id) FROM portfolio_debt
                                             WHERE creditor_id = %s) + (g * 7) %% %s
            """,
            [half, creditor.pk, debts],
        )
        cur.execute(
            """
            INSERT INTO portfolio_stagechange (debt_id, from_stage, to_stage, transition,
                business_date, occurred_at, reason)
            SELECT d.id, 'current', d.stage, 'bench', current_date - (g %% 60)::int,
                   now() - (g %% 60) * interval '1 day', ''
            FROM generate_series(1, %s) g
            JOIN portfolio_debt d ON d.id = (SELECT min(id) FROM portfolio_debt
                                             WHERE creditor_id = %s) + (g * 13) %% %s
            """,
            [events - half, creditor.pk, debts],
        )
        # VACUUM, not only ANALYZE: a bulk-loaded table has no visibility map yet, so index-only
        # scans would visit the heap until autovacuum got round to it (mid-run, skewing figures).
        cur.execute("VACUUM ANALYZE")
    print(
        f"seed: {debts:,} debts, {events:,} events, {len(ids)} collectors"
        f" in {time.perf_counter() - started:.0f} s"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=100_000)
    add_load_arguments(parser, users=10, requests=400, port=8765)
    args = parser.parse_args()

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse

    from bench.seeding import ensure_database

    ensure_database()

    call_command("migrate", verbosity=0)
    seed(args.debts, args.events)
    logins = sessions(args.users)
    queue_urls = [reverse("collections:queue") + query for query in QUEUE_QUERIES]

    def case_url(debt_id: int) -> str:
        return reverse("portfolio:debt-detail", args=[debt_id])

    def pick(index: int, rng: random.Random) -> tuple[str, str, str]:
        cookie, debt_ids = logins[index % len(logins)]
        if rng.random() < 0.5:
            return "work queue", rng.choice(queue_urls), cookie
        return "case page", case_url(rng.choice(debt_ids)), cookie

    with gunicorn_serving(workers=args.workers, port=args.port) as base:
        # warm up each worker (imports, template loading) before timing
        cookie, debt_ids = logins[0]
        for url in (queue_urls[0], case_url(debt_ids[0])) * args.workers:
            assert get(base, url, cookie)[0] == 200
        time_users(base=base, args=args, labels=["work queue", "case page"], pick=pick)


if __name__ == "__main__":
    main()
