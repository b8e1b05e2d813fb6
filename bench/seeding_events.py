"""The case history a web bench reads: set-based SQL (generate_series), never ORM rows.

`events_seed` spreads `events` timeline events over one creditor's debts, in the mix a case
page shows: logged contacts, outbox messages (each linked to its debt), the cycle's contact
actions, stage changes, history rows of the debt (what simple-history writes on each save)
and payments; plus, on a share of the debts, tasks, promises to pay and holds (opened and
closed), so every panel of the case page has rows to read. Each debt gets about
events / debts of them, none gets them all. Call `django.setup()` first.
"""

import datetime

from django.db import connection

# Share of the events per kind (sums to 1).
EVENT_MIX = {
    "interactions": 0.25,
    "messages": 0.20,
    "contact_actions": 0.20,
    "stage_changes": 0.15,
    "history": 0.15,
    "payments": 0.05,
}
STAGES = ("friendly_reminder", "firm_notice", "pre_legal")


def events_seed(
    *, creditor_id: int, events: int, as_of: datetime.date, days: int = 120
) -> dict[str, int]:
    """Insert `events` timeline events over the creditor's debts in the `days` before `as_of`
    (one statement per kind); the rows inserted per kind."""
    counts = {kind: int(events * share) for kind, share in EVENT_MIX.items()}
    inserted: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), count(*) FROM portfolio_debt WHERE creditor_id = %s", [creditor_id]
        )
        first, n = cursor.fetchone()
        if not n:
            return inserted
        # Debt ids of one creditor's bulk insert are consecutive: first + k picks the k-th.
        params = {"as_of": as_of, "days": days, "first": first, "n": n, "creditor": creditor_id}

        def run(kind: str, sql: str, **extra) -> None:
            cursor.execute(sql, {**params, **extra})
            inserted[kind] = cursor.rowcount

        run(
            "interactions",
            """
            INSERT INTO collections_app_interaction (debt_id, debtor_id, collector_id, channel,
                outcome, note, nonpayment_reason, occurred_at, created_at)
            SELECT d.id, d.debtor_id, d.assigned_to_id,
                   (ARRAY['call', 'call', 'call', 'sms', 'email'])[1 + g %% 5],
                   (ARRAY['no_answer', 'right_party_contact', 'wrong_number',
                          'promise_to_pay', 'third_party'])[1 + (g / 5) %% 5],
                   'bench', '',
                   (%(as_of)s::date - (g %% %(days)s)::int)::timestamptz
                       + (g %% 600) * interval '1 minute' + interval '13 hours',
                   now()
              FROM generate_series(1, %(count)s) AS g
              JOIN portfolio_debt d ON d.id = %(first)s + (g * 11) %% %(n)s
            """,
            count=counts["interactions"],
        )
        run(
            "messages",
            """
            INSERT INTO messaging_message (created_at, updated_at, channel, template, purpose,
                stage, language, business_date, "to", planned_for, sent_at, delivered_at,
                status, suppression_rule, suppression_reason, suppression_code,
                suppression_params, subject, body, provider_message_id, attempts, last_error,
                idempotency_key, creditor_id, debtor_id)
            SELECT now(), now(), ch, 'friendly', 'collection', 'friendly_reminder', 'es',
                   day, '+573000000000', day + interval '14 hours',
                   CASE WHEN st IN ('sent', 'delivered', 'failed')
                        THEN day + interval '14 hours' END,
                   CASE WHEN st = 'delivered' THEN day + interval '14 hours 1 minute' END,
                   st, CASE WHEN st = 'suppressed' THEN 'CO-WINDOW' ELSE '' END, '', '', '{}',
                   '', '', 'bench', 1, '', 'bench-web-m-' || %(creditor)s || '-' || g,
                   d.creditor_id, d.debtor_id
              FROM generate_series(1, %(count)s) AS g
              JOIN portfolio_debt d ON d.id = %(first)s + (g * 7) %% %(n)s
              CROSS JOIN LATERAL (
                  SELECT (ARRAY['sms', 'email', 'whatsapp'])[1 + g %% 3] AS ch,
                         (ARRAY['sent', 'delivered', 'delivered', 'failed',
                                'suppressed'])[1 + (g / 3) %% 5] AS st,
                         (%(as_of)s::date - (g %% %(days)s)::int)::timestamptz AS day
              ) x
            """,
            count=counts["messages"],
        )
        cursor.execute(
            """
            INSERT INTO messaging_messagedebt (message_id, debt_id)
            SELECT m.id, %(first)s + (substring(m.idempotency_key from '[0-9]+$')::bigint * 7)
                   %% %(n)s
              FROM messaging_message m
             WHERE m.creditor_id = %(creditor)s AND m.idempotency_key LIKE 'bench-web-m-%%'
            """,
            params,
        )
        run(
            "contact_actions",
            """
            INSERT INTO messaging_contactaction (business_date, stage, channel, template_code,
                status, created_at, debt_id)
            SELECT %(as_of)s::date - (g %% %(days)s)::int, d.stage,
                   (ARRAY['sms', 'email', 'whatsapp', 'voice'])[1 + g %% 4], 'friendly',
                   (ARRAY['planned', 'done', 'done', 'cancelled'])[1 + (g / 4) %% 4],
                   now(), d.id
              FROM generate_series(1, %(count)s) AS g
              JOIN portfolio_debt d ON d.id = %(first)s + (g * 13) %% %(n)s
            ON CONFLICT DO NOTHING
            """,
            count=counts["contact_actions"],
        )
        run(
            "stage_changes",
            """
            INSERT INTO portfolio_stagechange (debt_id, from_stage, to_stage, transition,
                business_date, occurred_at, reason, reason_code, reason_params)
            SELECT d.id, 'current', (ARRAY%(stages)s)[1 + g %% 3], 'escalate',
                   %(as_of)s::date - (g %% %(days)s)::int,
                   (%(as_of)s::date - (g %% %(days)s)::int)::timestamptz + interval '6 hours',
                   '', '', '{}'
              FROM generate_series(1, %(count)s) AS g
              JOIN portfolio_debt d ON d.id = %(first)s + (g * 17) %% %(n)s
            """.replace("%(stages)s", repr(list(STAGES))),
            count=counts["stage_changes"],
        )
        run(
            "history",
            """
            INSERT INTO portfolio_historicaldebt (id, created_at, updated_at, debt_ref, product,
                currency, original_amount, principal, interest, fees, balance, due_date,
                opened_date, stage, stage_entered_at, stage_entered_on, history_date,
                history_change_reason, history_type, assigned_to_id, creditor_id, debtor_id,
                history_user_id, portfolio_id)
            SELECT d.id, d.created_at, d.updated_at, d.debt_ref, d.product, d.currency,
                   d.original_amount, d.principal, d.interest, d.fees + g %% 7,
                   d.balance + g %% 7, d.due_date, d.opened_date, d.stage, d.stage_entered_at,
                   d.stage_entered_on,
                   (%(as_of)s::date - (g %% %(days)s)::int)::timestamptz + interval '5 hours',
                   NULL, CASE WHEN g <= %(n)s THEN '+' ELSE '~' END, d.assigned_to_id,
                   d.creditor_id, d.debtor_id, NULL, d.portfolio_id
              FROM generate_series(1, %(count)s) AS g
              JOIN portfolio_debt d ON d.id = %(first)s + g %% %(n)s
            """,
            count=counts["history"],
        )
        run(
            "payments",
            """
            INSERT INTO portfolio_payment (creditor_id, debt_id, amount, currency, paid_at,
                method, source, reference, allocated_fees, allocated_interest,
                allocated_principal, created_at, updated_at)
            SELECT d.creditor_id, d.id, 50000, d.currency,
                   (%(as_of)s::date - (g %% %(days)s)::int)::timestamptz + interval '15 hours',
                   'pse', 'file', 'BW-P-' || g, 0, 0, 50000, now(), now()
              FROM generate_series(1, %(count)s) AS g
              JOIN portfolio_debt d ON d.id = %(first)s + (g * 19) %% %(n)s
            """,
            count=counts["payments"],
        )
        for table in (
            "collections_app_interaction",
            "messaging_message",
            "messaging_messagedebt",
            "messaging_contactaction",
            "portfolio_stagechange",
            "portfolio_historicaldebt",
            "portfolio_payment",
        ):
            cursor.execute(f"ANALYZE {table}")
    inserted.update(case_records_seed(creditor_id=creditor_id, as_of=as_of))
    return inserted


def case_records_seed(*, creditor_id: int, as_of: datetime.date) -> dict[str, int]:
    """On a share of the creditor's debts: tasks (an open callback and a done follow-up on
    every 10th), a broken promise (every 20th), a pending promise due `as_of` (every 50th)
    and a closed dispute (every 25th). The shares are drawn by a hash of the debt id, not its
    remainder, so they do not line up with the collectors (dealt by remainder)."""
    inserted: dict[str, int] = {}
    params = {"as_of": as_of, "creditor": creditor_id}
    with connection.cursor() as cursor:

        def run(kind: str, sql: str) -> None:
            cursor.execute(sql, params)
            inserted[kind] = cursor.rowcount

        run(
            "tasks",
            """
            INSERT INTO portfolio_task (debt_id, kind, due_at, status, title, title_code,
                title_params, note, note_code, note_params, created_at, assigned_to_id)
            SELECT d.id, k.kind, %(as_of)s::date + (d.id %% 5 - 2) * interval '1 day'
                       + interval '15 hours',
                   k.status, 'Llamar al deudor', '', '{}', '', '', '{}',
                   %(as_of)s::date - (d.id %% 30)::int, d.assigned_to_id
              FROM portfolio_debt d
             CROSS JOIN (VALUES ('callback', 'open'), ('follow_up', 'done')) AS k(kind, status)
             WHERE d.creditor_id = %(creditor)s AND abs(hashtext('t' || d.id)) %% 10 = 0
            """,
        )
        run(
            "promises",
            """
            INSERT INTO agreements_promisetopay (created_at, updated_at, debt_id, debtor_id,
                amount, currency, promised_date, grace_days, channel, note, status, made_on,
                ledger_mark, paid_amount)
            SELECT %(as_of)s::date - 20, now(), d.id, d.debtor_id, 100000, d.currency,
                   %(as_of)s::date - 10 - (d.id %% 5)::int, 2, 'phone', '', 'broken',
                   %(as_of)s::date - 20, 0, 0
              FROM portfolio_debt d
             WHERE d.creditor_id = %(creditor)s AND abs(hashtext('b' || d.id)) %% 20 = 0
            UNION ALL
            SELECT %(as_of)s::date - 3, now(), d.id, d.debtor_id, 100000, d.currency,
                   %(as_of)s::date, 2, 'phone', '', 'pending', %(as_of)s::date - 3, 0, 0
              FROM portfolio_debt d
             WHERE d.creditor_id = %(creditor)s AND abs(hashtext('p' || d.id)) %% 50 = 0
            """,
        )
        run(
            "holds",
            """
            INSERT INTO portfolio_hold (debtor_id, debt_id, kind, reason, source, opened_at,
                closed_at, outcome, resolution_note)
            SELECT d.debtor_id, d.id, 'dispute', 'El deudor disputa el saldo', 'collector',
                   %(as_of)s::date - 40, %(as_of)s::date - 30, 'rejected', 'revisado'
              FROM portfolio_debt d
             WHERE d.creditor_id = %(creditor)s AND abs(hashtext('h' || d.id)) %% 25 = 0
            """,
        )
        for table in ("portfolio_task", "agreements_promisetopay", "portfolio_hold"):
            cursor.execute(f"ANALYZE {table}")
    return inserted
