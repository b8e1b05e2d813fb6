"""Shared data seeding of the benchmarks: set-based SQL (generate_series), never ORM rows.

bench/cycle.py, bench/agreements_cycle.py, bench/segments.py and bench/dashboard_load.py build
their portfolios here: one creditor `bench`, N open (`current`) debts, by default one per
debtor (or several, `debts_per_debtor`), due dates spread over 0-400 days before the business
date; optionally debtors spread over Colombia, Mexico and the US (`country_mix`), contact
points with the demo's channel mix and consent (`contact_points_seed`), payments and the
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
    "portfolio_historicalcontactpoint",
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


# The default ladder's stage for open debt `d` of debtor `p` on %(as_of)s (1, 16 and 46 days
# past due), US debts held where Reg F's validation notice holds them
# (collections_app.services.cycle_us: none without a notice sent goes past friendly_reminder,
# none inside its period into pre_legal): the benches' expected stages and their floors.
LADDER_TARGET_CASE = """
    CASE WHEN d.balance = 0 THEN 'paid'
         WHEN p.country = 'US' AND d.validation_notice_sent_at IS NULL
              AND %(as_of)s::date - d.due_date >= 1 THEN 'friendly_reminder'
         WHEN p.country = 'US' AND d.validation_period_ends_on >= %(as_of)s::date
              AND %(as_of)s::date - d.due_date >= 16 THEN 'firm_notice'
         WHEN %(as_of)s::date - d.due_date >= 46 THEN 'pre_legal'
         WHEN %(as_of)s::date - d.due_date >= 16 THEN 'firm_notice'
         WHEN %(as_of)s::date - d.due_date >= 1 THEN 'friendly_reminder'
         ELSE 'current' END
"""


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
    debts_per_debtor: int = 1,
    country_mix: bool = False,
) -> int:
    """Empty the bench tables and insert N open debts, one per debtor unless
    `debts_per_debtor` says more; the creditor id.

    With `collector_ids` the debts are dealt round-robin to those collectors; with `usd_every`
    every so many debts is in USD (the rest COP). With `country_mix` the debtors are spread
    like a Latin American book with some US debtors (COUNTRY_MIX: own time zone, language and
    a postal address); otherwise every debtor is in Bogotá without an address."""
    with connection.cursor() as cursor:
        present = tables_present(cursor, RESET_TABLES)
        cursor.execute(f"TRUNCATE {', '.join(present)} CASCADE")
        cursor.execute(
            "INSERT INTO portfolio_creditor (code, name, kind, country, contact_email, "
            "contact_phone, is_active, created_at, updated_at) VALUES "
            "('bench', 'Bench Bank', 'bank', 'CO', '', '', true, now(), now()) "
            "ON CONFLICT (code) DO NOTHING"
        )
        cursor.execute("SELECT id FROM portfolio_creditor WHERE code = 'bench'")
        creditor_id = cursor.fetchone()[0]
        per = max(1, int(debts_per_debtor))
        debtors = -(-n // per)
        if country_mix:
            cursor.execute(
                f"""
                INSERT INTO portfolio_debtor (creditor_id, debtor_ref, document_type,
                    document_number, full_name, address_line, city, region, postal_code,
                    country, timezone, language, created_at, updated_at)
                SELECT %s, 'D' || g, c.doc, (1000000000 + g)::text, 'Deudor ' || g,
                       'Calle ' || (g %% 200) || ' # ' || (g %% 97) || '-' || (g %% 89),
                       c.city, c.region, c.postal, c.country, c.tz, c.lang, now(), now()
                  FROM generate_series(1, %s) AS g
                  JOIN ({_country_values()}) AS c(slot, country, region, city, postal, tz,
                                                  lang, doc)
                    ON c.slot = g %% 20
                """,
                [creditor_id, debtors],
            )
        else:
            cursor.execute(
                """
                INSERT INTO portfolio_debtor (creditor_id, debtor_ref, document_type,
                    document_number, full_name, address_line, city, region, postal_code,
                    country, timezone, language, created_at, updated_at)
                SELECT %s, 'D' || g, 'CC', (1000000000 + g)::text, 'Deudor ' || g, '',
                       'Bogotá', '', '', 'CO', 'America/Bogota', 'es', now(), now()
                  FROM generate_series(1, %s) AS g
                """,
                [creditor_id, debtors],
            )
        if per == 1:
            # One debt per debtor, numbered by the debtor (what the benches always did).
            source = (
                "SELECT d.id AS debtor_id, d.debtor_ref AS ref, d.id AS id"
                " FROM portfolio_debtor d WHERE d.creditor_id = %(creditor)s"
            )
        else:
            # Debt g belongs to debtor D((g-1)/per + 1); formulas below number by debt.
            source = (
                "SELECT dd.id AS debtor_id, g::text AS ref, g::bigint AS id"
                " FROM generate_series(1, %(n)s) AS g"
                " JOIN portfolio_debtor dd ON dd.creditor_id = %(creditor)s"
                " AND dd.debtor_ref = 'D' || ((g - 1) / %(per)s + 1)"
            )
        principal = BALANCE_SQL[balance].replace("%", "%%")
        cursor.execute(
            f"""
            INSERT INTO portfolio_debt (creditor_id, debtor_id, debt_ref, product, currency,
                original_amount, principal, interest, fees, balance, due_date, stage,
                assigned_to_id, created_at, updated_at)
            SELECT %(creditor)s, d.debtor_id, 'OBL-' || d.ref, 'credit_card',
                   CASE WHEN %(usd_every)s > 0 AND d.id %% GREATEST(%(usd_every)s, 1) = 0
                        THEN 'USD' ELSE 'COP' END,
                   %(original)s, p, 0, 0, p, %(as_of)s::date - ((d.id * 7919) %% 400)::int,
                   'current',
                   CASE WHEN %(n_collectors)s > 0
                        THEN (%(collectors)s::int[])[1 + d.id %% GREATEST(%(n_collectors)s, 1)]
                   END,
                   now(), now()
              FROM ({source}) d, LATERAL (SELECT {principal} AS p) amt
            """,
            {
                "creditor": creditor_id,
                "n": n,
                "per": per,
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


# Where `country_mix` debtors live, per 20 debtors: 12 in Colombia, 6 in Mexico, 2 in the US
# (slot, country, region, city, postal code, time zone, language, document type).
COUNTRY_MIX = [
    *[(s, "CO", "", "Bogotá", "110111", "America/Bogota", "es", "CC") for s in range(0, 8)],
    *[(s, "CO", "", "Medellín", "050001", "America/Bogota", "es", "CC") for s in range(8, 12)],
    *[
        (s, "MX", "CMX", "Ciudad de México", "06600", "America/Mexico_City", "es", "INE")
        for s in range(12, 16)
    ],  # fmt: skip
    *[
        (s, "MX", "JAL", "Guadalajara", "44100", "America/Mexico_City", "es", "INE")
        for s in range(16, 18)
    ],  # fmt: skip
    (18, "US", "NY", "New York", "10001", "America/New_York", "en", "SSN"),
    (19, "US", "CA", "Los Angeles", "90001", "America/Los_Angeles", "en", "SSN"),
]
# The demo's channel mix (demo.services.seed): which channels a portfolio file carries and the
# chance the debtor consented to each, after the later opt-outs (10 % of grants) and opt-ins
# (6 % of refusals) the demo also plays.
CONSENT_CHANCE = {"email": 0.8, "sms": 0.65, "whatsapp": 0.55, "voice": 0.7}
NO_EMAIL_SHARE = 0.08
US_WHATSAPP_SHARE = 0.2


def _country_values() -> str:
    rows = ", ".join(
        "(" + ", ".join(str(v) if isinstance(v, int) else "'" + v + "'" for v in row) + ")"
        for row in COUNTRY_MIX
    )
    return f"VALUES {rows}"


def contact_points_seed() -> int:
    """Contact points for every bench debtor with the demo's channel mix and consent (e-mail,
    SMS, voice, WhatsApp; a letter goes to the postal address); returns how many."""
    per_mille = {
        channel: round(1000 * (p * 0.9 + (1 - p) * 0.06)) for channel, p in CONSENT_CHANCE.items()
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO portfolio_contactpoint (debtor_id, channel, value, is_primary, verified,
                consent_granted, consent_changed_at, consent_source, created_at, updated_at)
            SELECT d.id, c.channel,
                   CASE WHEN c.channel = 'email' THEN 'd' || d.id || '@bench.example'
                        ELSE '+1555' || lpad(d.id::text, 7, '0') END,
                   true, false,
                   abs(hashtext(d.id || ':consent:' || c.channel)) %% 1000 < c.per_mille,
                   now(), 'import', now(), now()
              FROM portfolio_debtor d
              JOIN portfolio_creditor cr ON cr.id = d.creditor_id AND cr.code = 'bench'
              CROSS JOIN (VALUES ('email', %(email)s), ('sms', %(sms)s),
                                 ('voice', %(voice)s), ('whatsapp', %(whatsapp)s))
                         AS c(channel, per_mille)
             WHERE NOT (c.channel = 'email'
                        AND abs(hashtext(d.id || ':email')) %% 1000 < %(no_email)s)
               AND NOT (c.channel = 'whatsapp' AND d.country = 'US'
                        AND abs(hashtext(d.id || ':whatsapp')) %% 1000 >= %(us_whatsapp)s)
            """,
            {
                **per_mille,
                "no_email": round(1000 * NO_EMAIL_SHARE),
                "us_whatsapp": round(1000 * US_WHATSAPP_SHARE),
            },
        )
        count = cursor.rowcount
        cursor.execute("ANALYZE portfolio_contactpoint")
    return count


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


def tables_present(cursor, tables: list[str]) -> list[str]:
    """Those of `tables` that exist in the current schema, in the given order."""
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename = ANY(%s)",
        [tables],
    )
    present = {row[0] for row in cursor.fetchall()}
    return [t for t in tables if t in present]
