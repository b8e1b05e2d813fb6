"""Shared data seeding of the benchmarks: set-based SQL (generate_series), never ORM rows.

bench/cycle.py, bench/agreements_cycle.py, bench/segments.py and bench/dashboard_load.py build
their portfolios here: one creditor `bench`, N debtors with one open (`current`) debt each,
due dates spread over 0-400 days before the business date; optionally payments and the
history events (messages, interactions, stage changes) the dashboard's snapshots read.
Call `django.setup()` first.
"""

import datetime

from django.db import connection

# Every table a rebuild empties (CASCADE takes what hangs off them: agreements, promises,
# snapshots' foreign keys, message-debt links).
RESET_TABLES = [
    "analytics_segmentchange",
    "analytics_debtsegment",
    "analytics_behaviourscore",
    "analytics_agingsnapshot",
    "analytics_collectionday",
    "analytics_debtmonthopening",
    "analytics_buckettransition",
    "analytics_nightlyrun",
    "analytics_contactday",
    "messaging_contactaction",
    "portfolio_stagechange",
    "collections_app_cyclerun",
    "portfolio_hold",
    "collections_app_interaction",
    "messaging_messagedebt",
    "messaging_message",
    "portfolio_payment",
    "portfolio_historicaldebt",
    "portfolio_debt",
    "portfolio_contactpoint",
    "portfolio_debtor",
]

# Balance per debt: the cycle's bench wants every 97th debt paid off (balance 0), the
# segments' bench balances spread over 200 bands (100k-20M COP) so rules on balance bite.
BALANCE_SQL = {
    "cycle": "CASE WHEN d.id % 97 = 0 THEN 0 ELSE 500000 END",
    "bands": "((d.id * 104729) % 200 + 1) * 100000",
    "flat": "1000000",
}


def ensure_database() -> None:
    """Create the database DATABASE_URL names if it does not exist yet."""
    import psycopg2

    name = connection.settings_dict["NAME"]
    admin = psycopg2.connect(
        dbname="postgres",
        user=connection.settings_dict["USER"] or "postgres",
        host=connection.settings_dict["HOST"] or "127.0.0.1",
        port=connection.settings_dict["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def debts_seed(
    n: int,
    *,
    as_of: datetime.date,
    balance: str = "cycle",
    original_amount: int = 1_000_000,
    collector_ids: list[int] | None = None,
    usd_every: int = 0,
) -> int:
    """Empty the bench tables and insert N debtors with one open debt each; the creditor id.

    With `collector_ids` the debts are dealt round-robin to those collectors; with `usd_every`
    every so many debts is in USD (the rest COP)."""
    with connection.cursor() as cursor:
        present = _existing(cursor, RESET_TABLES)
        cursor.execute(f"TRUNCATE {', '.join(present)} CASCADE")
        cursor.execute(
            "INSERT INTO portfolio_creditor (code, name, kind, country, contact_email, "
            "contact_phone, is_active, created_at, updated_at) VALUES "
            "('bench', 'Bench Bank', 'bank', 'CO', '', '', true, now(), now()) "
            "ON CONFLICT (code) DO NOTHING"
        )
        cursor.execute("SELECT id FROM portfolio_creditor WHERE code = 'bench'")
        creditor_id = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO portfolio_debtor (creditor_id, debtor_ref, document_type, document_number,
                full_name, address_line, city, region, postal_code, country, timezone, language,
                created_at, updated_at)
            SELECT %s, 'D' || g, 'CC', (1000000000 + g)::text, 'Deudor ' || g, '', 'Bogotá', '',
                   '', 'CO', 'America/Bogota', 'es', now(), now()
              FROM generate_series(1, %s) AS g
            """,
            [creditor_id, n],
        )
        principal = BALANCE_SQL[balance].replace("%", "%%")
        cursor.execute(
            f"""
            INSERT INTO portfolio_debt (creditor_id, debtor_id, debt_ref, product, currency,
                original_amount, principal, interest, fees, balance, due_date, stage,
                assigned_to_id, created_at, updated_at)
            SELECT %(creditor)s, d.id, 'OBL-' || d.debtor_ref, 'credit_card',
                   CASE WHEN %(usd_every)s > 0 AND d.id %% GREATEST(%(usd_every)s, 1) = 0
                        THEN 'USD' ELSE 'COP' END,
                   %(original)s, p, 0, 0, p, %(as_of)s::date - ((d.id * 7919) %% 400)::int,
                   'current',
                   CASE WHEN %(n_collectors)s > 0
                        THEN (%(collectors)s::int[])[1 + d.id %% GREATEST(%(n_collectors)s, 1)]
                   END,
                   now(), now()
              FROM portfolio_debtor d, LATERAL (SELECT {principal} AS p) amt
             WHERE d.creditor_id = %(creditor)s
            """,
            {
                "creditor": creditor_id,
                "as_of": as_of,
                "original": original_amount,
                "collectors": list(collector_ids or []),
                "n_collectors": len(collector_ids or []),
                "usd_every": usd_every,
            },
        )
        cursor.execute("ANALYZE portfolio_debtor")
        cursor.execute("ANALYZE portfolio_debt")
    return creditor_id


def payments_seed(*, as_of: datetime.date, share: float = 0.4, days: int = 200) -> int:
    """Payments of 50,000 COP on `share` of the debts (one to three each, in the `days` before
    `as_of`, 15:00 UTC); returns how many were inserted."""
    fifths = max(0, min(5, round(share * 5)))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO portfolio_payment (creditor_id, debt_id, amount, currency, paid_at,
                method, source, reference, allocated_fees, allocated_interest,
                allocated_principal, created_at, updated_at)
            SELECT d.creditor_id, d.id, 50000, 'COP',
                   (%(as_of)s::date - ((d.id * 31 + k * 47) %% %(days)s)::int)::timestamptz
                       + interval '15 hours',
                   'pse', 'file', 'P-' || d.id || '-' || k, 0, 0, 50000, now(), now()
              FROM portfolio_debt d, generate_series(1, 1 + (d.id %% 3)) AS k
             WHERE d.id %% 5 < %(fifths)s
            """,
            {"as_of": as_of, "days": days, "fifths": fifths},
        )
        count = cursor.rowcount
        cursor.execute("ANALYZE portfolio_payment")
    return count


def history_seed(
    *, as_of: datetime.date, messages: int, interactions: int, stage_changes: int, days: int = 90
) -> None:
    """Outbox messages (each linked to one debt), collector interactions and stage changes,
    spread over the debts and the `days` before `as_of` (set-based, one statement each)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), count(*) FROM portfolio_debt")
        first, n = cursor.fetchone()
        params = {"as_of": as_of, "days": days, "first": first, "n": n}
        # A debt per event: spread with a stride coprime with most sizes, so every debt gets
        # some and none gets them all.
        cursor.execute(
            """
            INSERT INTO messaging_message (created_at, updated_at, channel, template, purpose,
                stage, language, business_date, "to", planned_for, sent_at, delivered_at,
                status, suppression_rule, suppression_reason, subject, body,
                provider_message_id, attempts, last_error, idempotency_key, creditor_id,
                debtor_id)
            SELECT now(), now(), ch, 'reminder-' || ch, 'collection', 'friendly_reminder', 'es',
                   day, '+573000000000', day + interval '14 hours',
                   CASE WHEN st IN ('sent', 'delivered', 'failed')
                        THEN day + interval '14 hours' END,
                   CASE WHEN st = 'delivered' THEN day + interval '14 hours 1 minute' END,
                   st, CASE WHEN st = 'suppressed' THEN 'contact_window' ELSE '' END, '', '',
                   'bench', '', 1, '', 'bench-m-' || g, d.creditor_id, d.debtor_id
              FROM generate_series(1, %(count)s) AS g
              JOIN portfolio_debt d ON d.id = %(first)s + (g * 7) %% %(n)s
              CROSS JOIN LATERAL (
                  SELECT (ARRAY['sms', 'email', 'whatsapp'])[1 + g %% 3] AS ch,
                         (ARRAY['sent', 'delivered', 'delivered', 'failed',
                                'suppressed'])[1 + (g / 3) %% 5] AS st,
                         (%(as_of)s::date - (g %% %(days)s)::int)::timestamptz AS day
              ) x
            """,
            {**params, "count": messages},
        )
        cursor.execute(
            """
            INSERT INTO messaging_messagedebt (message_id, debt_id)
            SELECT m.id, d.id FROM messaging_message m
              JOIN portfolio_debt d ON d.debtor_id = m.debtor_id
             WHERE m.idempotency_key LIKE 'bench-m-%'
            """
        )
        cursor.execute(
            """
            INSERT INTO collections_app_interaction (debt_id, debtor_id, collector_id, channel,
                outcome, note, nonpayment_reason, occurred_at, created_at)
            SELECT d.id, d.debtor_id, d.assigned_to_id, 'call',
                   (ARRAY['no_answer', 'right_party_contact', 'wrong_number',
                          'promise_to_pay'])[1 + g %% 4],
                   'bench', '',
                   (%(as_of)s::date - (g %% %(days)s)::int)::timestamptz
                       + (g %% 600) * interval '1 minute' + interval '13 hours',
                   now()
              FROM generate_series(1, %(count)s) AS g
              JOIN portfolio_debt d ON d.id = %(first)s + (g * 11) %% %(n)s
            """,
            {**params, "count": interactions},
        )
        cursor.execute(
            """
            INSERT INTO portfolio_stagechange (debt_id, from_stage, to_stage, transition,
                business_date, occurred_at, reason)
            SELECT d.id, 'current', 'friendly_reminder', 'bench',
                   %(as_of)s::date - (g %% %(days)s)::int,
                   (%(as_of)s::date - (g %% %(days)s)::int)::timestamptz + interval '6 hours',
                   ''
              FROM generate_series(1, %(count)s) AS g
              JOIN portfolio_debt d ON d.id = %(first)s + (g * 13) %% %(n)s
            """,
            {**params, "count": stage_changes},
        )
        for table in (
            "messaging_message",
            "messaging_messagedebt",
            "collections_app_interaction",
            "portfolio_stagechange",
        ):
            cursor.execute(f"ANALYZE {table}")


def _existing(cursor, tables: list[str]) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename = ANY(%s)",
        [tables],
    )
    present = {row[0] for row in cursor.fetchall()}
    return [t for t in tables if t in present]
