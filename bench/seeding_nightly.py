"""Realistic portfolios for the nightly benches (bench/segments.py, bench/nightly.py).

Set-based SQL (generate_series), never ORM rows. Unlike bench/seeding.py's one debtor per debt
with no way to reach them, the books here look like the demo's (demo/services/seed.py):
  * two creditors, `bench` (Colombia, with some US residents) and `bench-mx` (Mexico), one
    portfolio each, debtors in Colombia 70 %, Mexico 20 %, the US 10 % (New York and
    California), in their own time zones and languages, with a postal address;
  * one to three debts per debtor (two on average), of the demo's products, in the debtor's
    currency, balances over 200 bands, due dates spread over 0-400 days before the date, all
    `current` (what a first import leaves), each debtor's debts with one of 20 collectors;
  * the demo's channel mix of contact points with its consent rates: e-mail on 92 % of
    debtors (80 % consented), SMS (65 %), voice (70 %), WhatsApp outside the US and on a
    fifth of US debtors (55 %); one consent event per point, as an import records it;
  * payments (one to three) on 40 % of the debts in the 200 days before the date;
  * the shipped WhatsApp texts approved as provider templates (as the demo's are).
Pseudo-random choices are hashes of the row ids, so a given N builds the same books every time.
Call `django.setup()` first.
"""

import datetime

from django.db import connection

from bench.seeding import tables_present

# Data rows a rebuild empties (configuration stays: segments, policies, templates, creditors).
RESET_TABLES = [
    "agreements_agreementchange",
    "agreements_instalment",
    "agreements_agreementdebt",
    "agreements_forgiveness",
    "agreements_paymentagreement",
    "agreements_promisetopay",
    "analytics_agingsnapshot",
    "analytics_agreementspan",
    "analytics_behaviourscore",
    "analytics_buckettransition",
    "analytics_collectionday",
    "analytics_contactday",
    "analytics_debtmonthopening",
    "analytics_debtsegment",
    "analytics_instalmentday",
    "analytics_messageday",
    "analytics_nightlyrun",
    "analytics_promiseday",
    "analytics_segmentchange",
    "analytics_suppressionday",
    "collections_app_assignment",
    "collections_app_cycleruncreditor",
    "collections_app_cyclerun",
    "collections_app_interaction",
    "imports_importrowerror",
    "imports_importbatch",
    "messaging_deliveryevent",
    "messaging_sandboxdelivery",
    "messaging_letterprintbatch",
    "messaging_messagedebt",
    "messaging_message",
    "messaging_contactaction",
    "portfolio_consentevent",
    "portfolio_historicalcontactpoint",
    "portfolio_contactpoint",
    "portfolio_historicalpayment",
    "portfolio_paymentreference",
    "portfolio_payment",
    "portfolio_task",
    "portfolio_hold",
    "portfolio_stagechange",
    "portfolio_historicaldebt",
    "portfolio_debt",
    "portfolio_historicaldebtor",
    "portfolio_debtordataaccess",
    "portfolio_debtor",
    "portfolio_portfolio",
]

COLLECTORS = 20
# Products per creditor, like the demo's books (weights out of 100).
PRODUCTS_SQL = """
    CASE WHEN r.country = 'MX'
         THEN (ARRAY['microcredit', 'microcredit', 'personal_loan', 'credit_card'])
              [1 + (d_hash %% 4)]
         ELSE (ARRAY['credit_card', 'credit_card', 'personal_loan', 'auto_loan', 'utility',
                     'retail', 'mortgage', 'credit_card', 'personal_loan', 'utility'])
              [1 + (d_hash %% 10)]
    END
"""


def _creditor(cursor, code: str, name: str, country: str) -> int:
    cursor.execute(
        "INSERT INTO portfolio_creditor (code, name, kind, country, contact_email, "
        "contact_phone, is_active, created_at, updated_at) VALUES "
        "(%s, %s, 'bank', %s, 'cobranza@bench.test', '+57 601 555 0100', true, now(), now()) "
        "ON CONFLICT (code) DO NOTHING",
        [code, name, country],
    )
    cursor.execute("SELECT id FROM portfolio_creditor WHERE code = %s", [code])
    return cursor.fetchone()[0]


def _collectors() -> list[int]:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    ids = []
    for i in range(1, COLLECTORS + 1):
        user, _ = user_model.objects.get_or_create(
            username=f"bench-gestor{i}", defaults={"first_name": "Gestor", "last_name": str(i)}
        )
        ids.append(user.id)
    return ids


def nightly_seed(n: int, *, as_of: datetime.date, payments_share: float = 0.4) -> dict[str, int]:
    """Empty the data tables and build N open debts as described above; the row counts."""
    collectors = _collectors()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables_present(cursor, RESET_TABLES))} CASCADE")
        co = _creditor(cursor, "bench", "Bench Bank", "CO")
        mx = _creditor(cursor, "bench-mx", "Bench Finanzas", "MX")
        cursor.execute(
            "INSERT INTO portfolio_portfolio (creditor_id, name, assigned_on, notes, created_at,"
            " updated_at) VALUES (%s, 'Bench CO', %s, '', now(), now()),"
            " (%s, 'Bench MX', %s, '', now(), now())",
            [co, as_of - datetime.timedelta(days=400), mx, as_of - datetime.timedelta(days=400)],
        )
        # One to three debts per debtor, two on average: N/2 debtors (a few spare, trimmed).
        debtors = n // 2 + 10
        cursor.execute(
            """
            INSERT INTO portfolio_debtor (creditor_id, debtor_ref, document_type, document_number,
                full_name, address_line, city, region, postal_code, country, timezone, language,
                created_at, updated_at)
            SELECT CASE WHEN c.country = 'MX' THEN %(mx)s ELSE %(co)s END,
                   'D' || g, c.doc, (1000000000 + g)::text, 'Deudor ' || g,
                   'Calle ' || (g %% 200) || ' # ' || (g %% 97) || '-' || (g %% 89), c.city,
                   c.region, '', c.country, c.tz, c.lang, now(), now()
              FROM generate_series(1, %(debtors)s) AS g
             CROSS JOIN LATERAL (
                SELECT * FROM (VALUES
                    (0, 'CO', 'CC', 'Bogotá', 'Cundinamarca', 'America/Bogota', 'es'),
                    (1, 'CO', 'CC', 'Medellín', 'Antioquia', 'America/Bogota', 'es'),
                    (2, 'CO', 'CC', 'Cali', 'Valle del Cauca', 'America/Bogota', 'es'),
                    (3, 'CO', 'CC', 'Bogotá', 'Cundinamarca', 'America/Bogota', 'es'),
                    (4, 'CO', 'CC', 'Barranquilla', 'Atlántico', 'America/Bogota', 'es'),
                    (5, 'CO', 'CC', 'Bucaramanga', 'Santander', 'America/Bogota', 'es'),
                    (6, 'CO', 'CC', 'Medellín', 'Antioquia', 'America/Bogota', 'es'),
                    (7, 'MX', 'INE', 'Ciudad de México', 'CDMX', 'America/Mexico_City', 'es'),
                    (8, 'MX', 'INE', 'Guadalajara', 'Jalisco', 'America/Mexico_City', 'es'),
                    (9, 'US', 'SSN',
                     CASE WHEN g %% 20 < 10 THEN 'New York' ELSE 'Los Angeles' END,
                     CASE WHEN g %% 20 < 10 THEN 'NY' ELSE 'CA' END,
                     CASE WHEN g %% 20 < 10 THEN 'America/New_York'
                          ELSE 'America/Los_Angeles' END, 'en')
                ) AS v(k, country, doc, city, region, tz, lang)
                WHERE v.k = (g * 7) %% 10
             ) c
            """,
            {"co": co, "mx": mx, "debtors": debtors},
        )
        principal = "((r.id * 104729 + k) %% 200 + 1) * 100000"
        cursor.execute(
            f"""
            INSERT INTO portfolio_debt (creditor_id, debtor_id, portfolio_id, debt_ref, product,
                currency, original_amount, principal, interest, fees, balance, due_date,
                opened_date, stage, assigned_to_id, created_at, updated_at)
            SELECT r.creditor_id, r.id, f.id, 'OBL-' || r.debtor_ref || '-' || k,
                   {PRODUCTS_SQL},
                   CASE r.country WHEN 'MX' THEN 'MXN' WHEN 'US' THEN 'USD' ELSE 'COP' END,
                   {principal} * 3 / 2, {principal}, 0, 0, {principal},
                   %(as_of)s::date - (((r.id * 7919 + k * 104723) %% 400))::int,
                   %(as_of)s::date - 800, 'current',
                   (%(collectors)s::int[])[1 + r.id %% %(n_collectors)s], now(), now()
              FROM (SELECT * FROM portfolio_debtor ORDER BY id) r
              JOIN portfolio_portfolio f ON f.creditor_id = r.creditor_id
             CROSS JOIN LATERAL generate_series(1, 1 + ((r.id * 2654435761) %% 3)::int) AS k
             CROSS JOIN LATERAL (SELECT (r.id * 31 + k * 17) AS d_hash) h
             ORDER BY r.id, k
             LIMIT %(n)s
            """,
            {
                "as_of": as_of,
                "n": n,
                "collectors": collectors,
                "n_collectors": len(collectors),
            },
        )
        cursor.execute(
            "DELETE FROM portfolio_debtor r WHERE NOT EXISTS "
            "(SELECT 1 FROM portfolio_debt d WHERE d.debtor_id = r.id)"
        )
        # The demo's channel mix and consent rates (demo/services/seed.py CONSENT_CHANCE).
        cursor.execute(
            """
            INSERT INTO portfolio_contactpoint (debtor_id, channel, value, is_primary, verified,
                consent_granted, consent_changed_at, consent_source, created_at, updated_at)
            SELECT r.id, ch.channel,
                   CASE WHEN ch.channel = 'email' THEN 'deudor' || r.id || '@correo.test'
                        ELSE '+57300' || lpad(r.id::text, 7, '0') END,
                   true, (r.id + ch.salt) %% 5 < 2,
                   ((r.id * 2654435761 + ch.salt * 40503) %% 100) < ch.consent,
                   %(imported)s, 'import', now(), now()
              FROM portfolio_debtor r
             CROSS JOIN (VALUES ('email', 1, 80), ('sms', 2, 65), ('voice', 3, 70),
                                ('whatsapp', 4, 55)) AS ch(channel, salt, consent)
             WHERE (ch.channel <> 'email' OR (r.id * 7) %% 100 >= 8)
               AND (ch.channel <> 'whatsapp' OR r.country <> 'US' OR r.id %% 5 = 0)
            """,
            {"imported": datetime.datetime.combine(as_of - datetime.timedelta(days=400),
                                                   datetime.time(12), tzinfo=datetime.UTC)},
        )  # fmt: skip
        cursor.execute(
            """
            INSERT INTO portfolio_consentevent (contact_point_id, granted, occurred_at, source,
                note)
            SELECT id, consent_granted, consent_changed_at, 'import', '' FROM portfolio_contactpoint
            """
        )
        fifths = max(0, min(5, round(payments_share * 5)))
        cursor.execute(
            """
            INSERT INTO portfolio_payment (creditor_id, debt_id, amount, currency, paid_at,
                method, source, reference, allocated_fees, allocated_interest,
                allocated_principal, created_at, updated_at)
            SELECT d.creditor_id, d.id, 50000, d.currency,
                   (%(as_of)s::date - ((d.id * 31 + k * 47) %% 200)::int)::timestamptz
                       + interval '15 hours',
                   'pse', 'file', 'P-' || d.id || '-' || k, 0, 0, 50000, now(), now()
              FROM portfolio_debt d, generate_series(1, 1 + (d.id %% 3)::int) AS k
             WHERE (d.id * 7) %% 5 < %(fifths)s
            """,
            {"as_of": as_of, "fifths": fifths},
        )
        # WhatsApp outside the 24-hour window takes only approved provider templates (as on
        # Twilio): the shipped texts are approved here, as the demo's seed approves them.
        cursor.execute(
            """
            UPDATE messaging_messagetemplateversion v
               SET provider_template_id = 'HX' || md5(v.id::text),
                   provider_variables = '{"1": "first_name"}', approval_status = 'approved'
              FROM messaging_messagetemplate t
             WHERE t.id = v.template_id AND t.channel = 'whatsapp' AND t.creditor_id IS NULL
               AND v.is_active
            """
        )
        return _analyzed_counts(
            cursor,
            [
                "portfolio_debtor",
                "portfolio_debt",
                "portfolio_contactpoint",
                "portfolio_consentevent",
                "portfolio_payment",
            ],
            prefix="portfolio_",
        )


def _analyzed_counts(cursor, tables: list[str], *, prefix: str) -> dict[str, int]:
    """ANALYZE each freshly seeded table; its row count, keyed by the name without `prefix`."""
    counts = {}
    for table in tables:
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"SELECT count(*) FROM {table}")
        counts[table.removeprefix(prefix)] = cursor.fetchone()[0]
    return counts


def agreements_seed(*, as_of: datetime.date, every: int = 50) -> dict[str, int]:
    """Active four-instalment agreements on one open debt in `every` (first due dates spread
    over the 40 days around `as_of`, so the day's cycle sends reminders and notices and
    breaks some), and pending promises on as many other debts (some due, some broken)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO agreements_paymentagreement (created_at, updated_at, kind, status,
                currency, balance_at_start, interest_waived, fees_waived, discount_amount,
                discount_pct, agreed_total, down_payment, instalment_count, frequency,
                first_due_date, grace_days, channel, notes, proposed_on, approval_reasons,
                activated_at, activated_on, ledger_mark, paid_amount, accrual_frozen,
                creditor_id, debtor_id)
            SELECT now(), now(), 'instalment_plan', 'active', d.currency, d.balance, 0, 0, 0,
                   0, d.balance, 0, 4, 'monthly', f.first, 5, 'phone', 'bench:' || d.id,
                   f.first - 5, '[]'::jsonb, now(), f.first - 5, 0, 0, false, d.creditor_id,
                   d.debtor_id
              FROM portfolio_debt d
             CROSS JOIN LATERAL (SELECT %(as_of)s::date + ((d.id %% 40) - 30)::int AS first) f
             WHERE d.id %% %(every)s = 0 AND d.balance > 0
            """,
            {"as_of": as_of, "every": every},
        )
        cursor.execute(
            """
            INSERT INTO agreements_agreementdebt (stage_at_start, balance_at_start, share,
                is_open, debt_id, agreement_id)
            SELECT 'friendly_reminder', a.balance_at_start, a.balance_at_start, true,
                   substr(a.notes, 7)::bigint, a.id
              FROM agreements_paymentagreement a WHERE a.notes LIKE 'bench:%%'
            """
        )
        cursor.execute(
            """
            INSERT INTO agreements_instalment (number, due_date, amount, paid_amount, status,
                agreement_id)
            SELECT n, (a.first_due_date + (n - 1) * interval '1 month')::date,
                   round(a.agreed_total / 4, 2), 0, 'pending', a.id
              FROM agreements_paymentagreement a, generate_series(1, 4) AS n
             WHERE a.notes LIKE 'bench:%%'
            """
        )
        cursor.execute(
            """
            INSERT INTO agreements_promisetopay (created_at, updated_at, amount, currency,
                promised_date, grace_days, channel, note, status, made_on, ledger_mark,
                paid_amount, debt_id, debtor_id)
            SELECT now(), now(), 10000, d.currency, %(as_of)s::date - (d.id %% 6)::int, 2,
                   'phone', '', 'pending', %(as_of)s::date - 10, 0, 0, d.id, d.debtor_id
              FROM portfolio_debt d
             WHERE d.id %% %(every)s = %(half)s AND d.balance > 0
            """,
            {"as_of": as_of, "every": every, "half": every // 2},
        )
        return _analyzed_counts(
            cursor,
            [
                "agreements_paymentagreement",
                "agreements_agreementdebt",
                "agreements_instalment",
                "agreements_promisetopay",
            ],
            prefix="agreements_",
        )
