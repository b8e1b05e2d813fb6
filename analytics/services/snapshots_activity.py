"""KPI snapshots of promises, agreements and messages (docs/segments.md), set-based SQL.

For a business date D, each table's rows for the recent dates whose figures can still change
are replaced: promises and instalments are judged only once their grace is over, and a
message waits 7 days for the payment that follows it. Only facts up to the end of D count
(payments, deliveries), so a rerun for D writes the same rows again.

Cut: the debt's creditor, portfolio, segment, assigned collector and currency (an agreement
takes the cut of the first debt it covers; a message is counted under each debt it covers,
once per currency).
"""

import datetime
from contextlib import contextmanager

from analytics.services.loading import DEBTS_WITH_SEGMENT, day_bounds, local_date_sql
from core.bulk import days_between_sql, temp_table_select

CUT = "creditor_id, portfolio_id, segment_id, collector_id, currency"
DEBT_CUT = "d.creditor_id, d.portfolio_id, d.segment_id, d.assigned_to_id"
DEBT_CUT_NAMED = "d.creditor_id, d.portfolio_id, d.segment_id, d.assigned_to_id AS collector_id"

# How far back the nightly run rewrites: longer than any grace (promises, instalments) and
# than the 7-day payment window of messages plus late delivery receipts.
JUDGING_WINDOW_DAYS = 60
MESSAGE_WINDOW_DAYS = 10
FOLLOW_UP_DAYS = 7


def _plus_days_sql(column: str, days: int) -> str:
    return f"({column} + interval '{int(days)} days')"


def activity_snapshots_write(cursor, *, as_of: datetime.date, since=None, phase=None) -> None:
    """Rewrite the recent dates (or every date from `since`, for a backfill) up to `as_of`.

    `phase`: core.bulk.phase_timer's context manager, to time each table (optional)."""
    phase = phase or _untimed
    with phase("promise day"):
        _promises(cursor, as_of, since)
    with phase("instalment day"):
        _instalments(cursor, as_of, since)
    with phase("agreement spans"):
        _agreement_spans(cursor, as_of)
    with phase("message and suppression days"):
        _messages(cursor, as_of, since)


@contextmanager
def _untimed(_name):
    yield


def _window(as_of, days, since=None):
    low = as_of - datetime.timedelta(days=days)
    return (min(low, since) if since else low), as_of


def _promises(cursor, as_of, since=None) -> None:
    low, high = _window(as_of, JUDGING_WINDOW_DAYS, since)
    _start, end = day_bounds(as_of)
    # Kept: payments on the debt after the promise was recorded (its ledger mark), up to the
    # end of promised date + grace, cover the amount. Judged once that day is over (<= D).
    late = days_between_sql(later=local_date_sql("q.paid_at"), earlier="p.promised_date")
    covered = f"""COALESCE((SELECT sum(q.amount) FROM portfolio_payment q
                    WHERE q.debt_id = p.debt_id AND q.id > p.ledger_mark AND q.paid_at < %s
                      AND {late} <= p.grace_days AND q.reversed_at IS NULL), 0) >= p.amount"""
    judged = days_between_sql(later="%s", earlier="p.promised_date") + " >= p.grace_days"
    cursor.execute("DELETE FROM analytics_promiseday WHERE as_of BETWEEN %s AND %s", [low, high])
    cursor.execute(
        f"""
        INSERT INTO analytics_promiseday
            (as_of, {CUT}, made, made_amount, due, kept, broken, awaiting)
        SELECT day, {CUT}, sum(made), sum(made_amount), sum(due), sum(kept), sum(broken),
               sum(awaiting)
          FROM (
            SELECT p.made_on AS day, {DEBT_CUT_NAMED}, d.currency, 1 AS made,
                   p.amount AS made_amount, 0 AS due, 0 AS kept, 0 AS broken, 0 AS awaiting
              FROM agreements_promisetopay p JOIN {DEBTS_WITH_SEGMENT} d ON d.id = p.debt_id
             WHERE p.made_on BETWEEN %s AND %s
            UNION ALL
            SELECT p.promised_date, {DEBT_CUT}, d.currency, 0, 0, 1,
                   CASE WHEN {covered} THEN 1 ELSE 0 END,
                   CASE WHEN NOT ({covered}) AND {judged} THEN 1 ELSE 0 END,
                   CASE WHEN NOT ({covered}) AND NOT ({judged}) THEN 1 ELSE 0 END
              FROM agreements_promisetopay p JOIN {DEBTS_WITH_SEGMENT} d ON d.id = p.debt_id
             WHERE p.promised_date BETWEEN %s AND %s AND p.status <> 'cancelled'
               AND p.made_on <= %s
          ) promises
         GROUP BY day, {CUT}
        """,
        [low, high, end, end, as_of.isoformat(), end, as_of.isoformat(), low, high, as_of],
    )


def _agreement_debt_join() -> str:
    """Join the debt whose cut an agreement `a` takes (the first one it covers) as `d`.

    Lateral, so each agreement's first debt is looked up by key: joining on the subquery's
    value made the planner hash every debt for a few thousand agreements.
    """
    return (
        "CROSS JOIN LATERAL (SELECT min(l.debt_id) AS debt_id FROM agreements_agreementdebt l"
        " WHERE l.agreement_id = a.id) first_debt"
        f" JOIN {DEBTS_WITH_SEGMENT} d ON d.id = first_debt.debt_id"
    )


def _instalments(cursor, as_of, since=None) -> None:
    low, high = _window(as_of, JUDGING_WINDOW_DAYS, since)
    late = days_between_sql(later=local_date_sql("i.paid_at"), earlier="i.due_date")
    _start, end = day_bounds(as_of)
    kept = f"(i.paid_amount >= i.amount AND i.paid_at < %s AND {late} <= a.grace_days)"
    judged = days_between_sql(later="%s", earlier="i.due_date") + " >= a.grace_days"
    cursor.execute("DELETE FROM analytics_instalmentday WHERE as_of BETWEEN %s AND %s", [low, high])
    cursor.execute(
        f"""
        INSERT INTO analytics_instalmentday
            (as_of, {CUT}, due, due_amount, kept, partial, awaiting, paid_amount)
        SELECT i.due_date, {DEBT_CUT}, a.currency, count(*), sum(i.amount),
               sum(CASE WHEN {kept} THEN 1 ELSE 0 END),
               sum(CASE WHEN NOT {kept} AND {judged} AND i.paid_amount > 0 THEN 1 ELSE 0 END),
               sum(CASE WHEN NOT {kept} AND NOT ({judged}) THEN 1 ELSE 0 END),
               sum(i.paid_amount)
          FROM agreements_instalment i
          JOIN agreements_paymentagreement a ON a.id = i.agreement_id
          {_agreement_debt_join()}
         WHERE i.due_date BETWEEN %s AND %s AND i.status <> 'cancelled'
           AND a.activated_on IS NOT NULL AND a.activated_on <= %s
           -- a broken or cancelled agreement's later instalments never fell due
           AND (a.status NOT IN ('broken', 'cancelled') OR i.due_date <= a.ended_on)
         GROUP BY i.due_date, {DEBT_CUT}, a.currency
        """,
        [end, end, as_of.isoformat(), end, as_of.isoformat(), low, high, as_of],
    )


def _agreement_spans(cursor, as_of) -> None:
    cursor.execute("DELETE FROM analytics_agreementspan")
    cursor.execute(
        f"""
        INSERT INTO analytics_agreementspan
            (agreement_id, {CUT}, active_from, active_until, broken_on)
        SELECT a.id, {DEBT_CUT}, a.currency, a.activated_on,
               CASE WHEN a.ended_on <= %s THEN a.ended_on END,
               CASE WHEN a.status = 'broken' AND a.ended_on <= %s THEN a.ended_on END
          FROM agreements_paymentagreement a
          {_agreement_debt_join()}
         WHERE a.activated_on IS NOT NULL AND a.activated_on <= %s
        """,
        [as_of, as_of, as_of],
    )


def _messages(cursor, as_of, since=None) -> None:
    """MessageDay and SuppressionDay from one pass over the window's messages and debts."""
    low, high = _window(as_of, MESSAGE_WINDOW_DAYS, since)
    _start, end = day_bounds(as_of)
    # "Delivered": sent and not failed since. No channel reports delivery reliably (letters,
    # voice call lists and the sandbox never do; SMS/e-mail receipts arrive later or never),
    # so a sent message counts as delivered until a failure or bounce says otherwise;
    # `confirmed` counts the ones with a delivery receipt.
    delivered = "m.status IN ('sent', 'delivered')"
    followed = f"""EXISTS (SELECT 1 FROM portfolio_payment q
                   WHERE q.debt_id = md.debt_id AND q.paid_at >= m.sent_at AND q.paid_at < %s
                     AND q.reversed_at IS NULL
                     AND q.paid_at < {_plus_days_sql("m.sent_at", FOLLOW_UP_DAYS)})"""
    rule = "COALESCE(NULLIF(m.suppression_rule, ''), '?')"
    cursor.execute("DELETE FROM analytics_messageday WHERE as_of BETWEEN %s AND %s", [low, high])
    cursor.execute(
        "DELETE FROM analytics_suppressionday WHERE as_of BETWEEN %s AND %s", [low, high]
    )
    # Each message once per cut first (its debts of one cut collapse, "followed" if a payment
    # followed on any of them), then plain counts: per cut, channel and template, and the
    # suppressed ones per cut, channel and rule. The same figures as counting distinct
    # messages, without sorting every (message, debt) row. The first pass reads the window's
    # messages, their debts and payments: selected into a temporary table, it may have
    # parallel workers, which PostgreSQL never gives an INSERT's query (core.bulk).
    temp_table_select(
        cursor,
        name="kpi_message_cut",
        columns=[
            "id",
            "business_date",
            "channel",
            "template",
            "status",
            "sent_at",
            "rule",
            "creditor_id",
            "portfolio_id",
            "segment_id",
            "collector_id",
            "currency",
            "followed",
        ],
        sql=f"""
            SELECT m.id, m.business_date, m.channel, m.template, m.status, m.sent_at,
                   {rule}, {DEBT_CUT}, d.currency,
                   bool_or({delivered} AND {followed})
              FROM messaging_message m
              JOIN messaging_messagedebt md ON md.message_id = m.id
              JOIN {DEBTS_WITH_SEGMENT} d ON d.id = md.debt_id
             WHERE m.business_date BETWEEN %s AND %s AND m.status <> 'cancelled'
             GROUP BY m.id, {DEBT_CUT}, d.currency
        """,
        params=[end, low, high],
    )
    # Its statistics, so that both counts below are hashed, not sorted.
    cursor.execute("ANALYZE kpi_message_cut")
    cursor.execute(
        f"""
        INSERT INTO analytics_suppressionday (as_of, {CUT}, channel, rule, messages)
        SELECT business_date, {CUT}, channel, rule, count(*)
          FROM kpi_message_cut WHERE status = 'suppressed'
         GROUP BY business_date, {CUT}, channel, rule
        """
    )
    cursor.execute(
        f"""
        INSERT INTO analytics_messageday
            (as_of, {CUT}, channel, template, planned, suppressed, sent, delivered, confirmed,
             followed)
        SELECT business_date, {CUT}, channel, template,
               count(*),
               count(*) FILTER (WHERE status = 'suppressed'),
               count(*) FILTER (WHERE sent_at IS NOT NULL),
               count(*) FILTER (WHERE status IN ('sent', 'delivered')),
               count(*) FILTER (WHERE status = 'delivered'),
               count(*) FILTER (WHERE followed)
          FROM kpi_message_cut
         GROUP BY business_date, {CUT}, channel, template
        """
    )
    cursor.execute("DROP TABLE IF EXISTS kpi_message_cut")
