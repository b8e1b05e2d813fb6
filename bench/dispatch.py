"""Benchmark dispatch: messages/s through Celery + Redis to the sandbox, compliance check on.

    .venv/bin/python bench/dispatch.py --messages 100000 [--concurrency 2] [--batch 500]
        [--channels sms,whatsapp,email]

Builds N planned messages (one per debtor, each covering one debt, consented contact point),
round-robin over `--channels` (default SMS, WhatsApp and e-mail: the production paths on),
due now, starts a real Celery worker (prefork) on Redis, claims the messages in batches
exactly as beat's `dispatch_due` does and enqueues `send_batch` tasks, then times until every
message is sent. Each batch locks its rows, re-checks every message's debts, holds, consent and
history, renders it, asks the compliance engine, records the sandbox deliveries and the status
changes and commits. WhatsApp goes the way production sends it outside the 24-hour window:
the service windows read per batch, the approved template (Content SID and variables, set on
the shipped text here) instead of free text. E-mail goes through django-anymail's test backend
(the ESP path: metadata, Message-ID, the provider's id) instead of the console. Checks at the
end that every SMS and WhatsApp message was sent exactly once (SandboxDelivery.sends == 1).

The floor, same run, same broker and worker: N no-op Celery tasks (bench/celery_noop.py), one
per message, published the same way and timed until all have run. The load average is printed
with the figures (the machine may be shared).

Any hour of the day: the debtors live where a contact window is open now. The candidates are
Colombia, Mexico and the US, then US residents abroad in each whole-hour zone (Etc/GMT-12 ...
Etc/GMT+12): the US rules apply in the debtor's own time zone, so one of them is always inside
the 08:00-21:00 window (between 07:00 and 13:00 UTC no Colombian, Mexican or mainland US
debtor may be contacted, hence the others).

Uses DATABASE_URL (default: `cartera_bench_dispatch` on the local PostgreSQL, migrated and
emptied) and REDIS_URL (default redis://127.0.0.1:6379/12; that DB is flushed).
"""

import argparse
import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench_dispatch")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from messaging.models import Message, SandboxDelivery  # noqa: E402
from messaging.services import compliance  # noqa: E402

CANDIDATES = [
    ("CO", "", "America/Bogota"),
    ("MX", "", "America/Mexico_City"),
    ("US", "NY", "America/New_York"),
    ("US", "CA", "America/Los_Angeles"),
    ("US", "HI", "Pacific/Honolulu"),
    # A US resident abroad, one whole-hour zone after another (as the kill test does).
    *[("US", "NY", f"Etc/GMT{offset:+d}") for offset in range(-12, 13)],
]


def ensure_database() -> None:
    import psycopg2

    settings = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"] or "postgres",
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    admin.close()


def open_jurisdiction(minutes: int):
    """A jurisdiction whose window stays open for the whole run (the check runs at send)."""
    now = timezone.now()
    for country, region, tz in CANDIDATES:
        allowed = all(
            compliance.compliance_check(
                contact=compliance.Contact(
                    debtor_id=1, creditor_id=1, country=country, region=region, timezone=tz,
                    channel="sms", at=now + datetime.timedelta(minutes=m),
                    stage="friendly_reminder", purpose="collection", consented=True,
                    holds=frozenset(), content="x STOP", creditor_name="x",
                ),
                history=[],
            ).allowed
            for m in range(0, minutes + 1, 5)
        )  # fmt: skip
        if allowed:
            return country, region, tz
    return None


SID = "HX0123456789abcdef0123456789abcdef"


def build(n: int, country: str, region: str, tz: str, channels: list[str]) -> None:
    """N debtors, consented points, debts and planned messages (round-robin over `channels`),
    set-based in SQL; the shipped WhatsApp text carries an approved provider template."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE messaging_sandboxdelivery, messaging_deliveryevent, messaging_messagedebt, "
            "messaging_message, messaging_contactaction, portfolio_hold, "
            "portfolio_payment, portfolio_historicaldebt, portfolio_debt, "
            "portfolio_historicalcontactpoint, portfolio_consentevent, portfolio_contactpoint, "
            "portfolio_historicaldebtor, portfolio_debtor CASCADE"
        )
        cursor.execute("DELETE FROM portfolio_creditor WHERE code = 'bench-dispatch'")
        cursor.execute(
            "INSERT INTO portfolio_creditor (code, name, kind, country, contact_email, "
            "contact_phone, is_active, created_at, updated_at) VALUES ('bench-dispatch', "
            "'Banco Bench', 'bank', %s, '', '+57 601 555 0100', true, now(), now()) RETURNING id",
            [country],
        )
        creditor = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO portfolio_debtor (creditor_id, debtor_ref, document_type,
                document_number, full_name, address_line, city, region, postal_code, country,
                timezone, language, created_at, updated_at)
            SELECT %s, 'B' || g, 'CC', (100000000 + g)::text, 'Deudor ' || g, '', '', %s, '',
                   %s, %s, 'es', now(), now()
              FROM generate_series(1, %s) g
            """,
            [creditor, region, country, tz, n],
        )
        cursor.execute(
            """
            INSERT INTO portfolio_contactpoint (debtor_id, channel, value, is_primary, verified,
                consent_granted, consent_changed_at, consent_source, created_at, updated_at)
            SELECT d.id, c.channel,
                   CASE WHEN c.channel = 'email' THEN 'b' || d.id || '@example.com'
                        ELSE '+5730' || lpad(d.id::text, 8, '0') END,
                   true, true, true, now(), 'import', now(), now()
              FROM portfolio_debtor d CROSS JOIN unnest(%s::text[]) c(channel)
             WHERE d.creditor_id = %s
            """,
            [channels, creditor],
        )
        cursor.execute(
            """
            UPDATE messaging_messagetemplateversion v
               SET provider_template_id = %s, provider_variables = '{"1": "first_name"}',
                   approval_status = 'approved'
              FROM messaging_messagetemplate t
             WHERE t.id = v.template_id AND t.creditor_id IS NULL AND t.code = 'friendly'
               AND t.channel = 'whatsapp' AND v.is_active
            """,
            [SID],
        )
        cursor.execute(
            """
            INSERT INTO portfolio_debt (creditor_id, debtor_id, debt_ref, product, currency,
                original_amount, principal, interest, fees, balance, due_date, stage,
                validation_notice_sent_at, validation_period_ends_on, created_at, updated_at)
            SELECT %s, id, 'BD' || id, 'credit_card', 'COP', 1500000, 1000000, 150000, 20000,
                   1170000, DATE '2026-11-01', 'friendly_reminder',
                   -- a US debt is collected only after its validation notice and its period
                   -- (US-VALIDATION): sent two months ago, the period over
                   now() - interval '60 days', %s::date - 20, now(), now()
              FROM portfolio_debtor WHERE creditor_id = %s
            """,
            [creditor, now.date(), creditor],
        )
        cursor.execute(
            """
            INSERT INTO messaging_message (creditor_id, debtor_id, channel, template, purpose,
                stage, language, business_date, "to", planned_for, status, suppression_rule,
                suppression_reason, suppression_code, suppression_params, subject, body,
                provider_message_id, attempts, last_error, idempotency_key, created_at,
                updated_at)
            SELECT %s, d.id, c.channel, 'friendly', 'collection', 'friendly_reminder', 'es', %s,
                   CASE WHEN c.channel = 'email' THEN 'b' || d.id || '@example.com'
                        ELSE '+5730' || lpad(d.id::text, 8, '0') END,
                   %s, 'planned', '', '', '', '{}', '', '', '', 0, '', 'bench:' || d.id,
                   now(), now()
              FROM portfolio_debtor d
              JOIN LATERAL (SELECT (%s::text[])[1 + d.id %% %s] AS channel) c ON true
             WHERE d.creditor_id = %s
            """,
            [
                creditor,
                now.date(),
                now - datetime.timedelta(minutes=1),
                channels,
                len(channels),
                creditor,
            ],  # fmt: skip
        )
        cursor.execute(
            """
            INSERT INTO messaging_messagedebt (message_id, debt_id)
            SELECT m.id, t.id FROM messaging_message m JOIN portfolio_debt t
                ON t.debtor_id = m.debtor_id
            """
        )
        cursor.execute("ANALYZE")


def wait_for_worker(worker) -> None:
    from config.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        assert worker.poll() is None, "the worker died"
        assert time.monotonic() < deadline, "the worker did not answer within 60 s"


def noop_floor(n: int, worker) -> float:
    """Seconds for n no-op tasks through the same broker and worker (the floor)."""
    import redis

    from bench.celery_noop import noop

    counter = "bench:noop:done"
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(counter)
    started = time.perf_counter()
    for _i in range(n):
        noop.delay(counter)
    while int(client.get(counter) or 0) < n:
        assert worker.poll() is None, "the worker died"
        time.sleep(0.01)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument(
        "--channels",
        default="sms,whatsapp,email",
        help="comma-separated, round-robin over the messages (sms, whatsapp, email)",
    )
    args = parser.parse_args()
    channels = [c.strip() for c in args.channels.split(",") if c.strip()]
    if not channels or set(channels) - {"sms", "whatsapp", "email"}:
        sys.exit("--channels: a comma-separated list of sms, whatsapp and email")

    ensure_database()
    call_command("migrate", verbosity=0)
    jurisdiction = open_jurisdiction(minutes=max(10, args.messages // 1000))
    if jurisdiction is None:
        sys.exit("No benchmark jurisdiction has an open contact window now.")
    started = time.perf_counter()
    build(args.messages, *jurisdiction, channels)
    print(f"built {args.messages} messages ({'/'.join(channels)}) for debtors in {jurisdiction[0]} "
          f"({jurisdiction[2]}, a contact window open at {timezone.now():%H:%M} UTC) "
          f"in {time.perf_counter() - started:.1f}s")  # fmt: skip

    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    env = {
        **os.environ,
        "CARTERA_DISPATCH_BATCH": str(args.batch),
        "LOG_LEVEL": "WARNING",
        # the ESP path without a network: anymail's test backend
        "EMAIL_BACKEND": "anymail.backends.test.EmailBackend",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning",
         "--pool", "prefork", "--concurrency", str(args.concurrency), "--without-mingle",
         "--without-gossip", "--without-heartbeat", "-I", "bench.celery_noop"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        from messaging.services.dispatch import messages_claim_due
        from messaging.tasks import send_batch

        wait_for_worker(worker)
        floor = noop_floor(args.messages, worker)
        started = time.perf_counter()
        claimed = 0
        while True:
            token, ids = messages_claim_due(limit=args.batch)
            if not ids:
                break
            send_batch.delay(ids, token)
            claimed += len(ids)
        enqueued = time.perf_counter() - started
        while Message.objects.filter(status="planned").exists():
            assert worker.poll() is None, "the worker died"
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    sent = Message.objects.filter(status="sent").count()
    # What did not go, counted by status and rule (one line, however many).
    other = {
        f"{status} {rule}".strip(): n
        for status, rule, n in Message.objects.exclude(status="sent")
        .values_list("status", "suppression_rule")
        .annotate(n=Count("id"))
        .order_by()
    }
    deliveries = SandboxDelivery.objects.count()
    most = SandboxDelivery.objects.aggregate(m=Max("sends"))["m"]
    by_channel = dict(
        Message.objects.filter(status="sent")
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    templated = SandboxDelivery.objects.exclude(content_sid="").count()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"claimed and enqueued {claimed} in {enqueued:.1f}s")
    print(f"floor, same run: {args.messages} no-op Celery tasks through the same broker and "
          f"workers in {floor:.1f}s: {args.messages / floor:.0f} messages/s")  # fmt: skip
    print(f"sent {sent} of {args.messages} in {elapsed:.1f}s: {sent / elapsed:.0f} messages/s "
          f"(floor {args.messages / floor:.0f}; worker concurrency {args.concurrency}, batch "
          f"{args.batch}); other statuses: {other or 'none'}; sandbox rows {deliveries}, max sends "
          f"per message {most}")  # fmt: skip
    print(f"sent by channel: {by_channel}; WhatsApp sent as an approved template: {templated}")
    print(f"load average: {load}")


if __name__ == "__main__":
    main()
