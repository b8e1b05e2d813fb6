"""ContactDay: the collectors' logged contacts per business date, in one INSERT ... SELECT.

Definitions (KPIS.md): an attempt is an outbound call or a field visit (messages a collector
sends by hand and calls the debtor made to us are logged contacts, not attempts; the
compliance engine counts them the same way, collections_app.services.contacts). An attempt
reached a person when anybody answered who knows the debtor (the debtor or a third party; a
wrong number or no answer reached nobody), and is a right-party contact (RPC) when the
collector spoke with the debtor about the debt (Interaction.RPC_OUTCOMES). A promise is an
attempt whose outcome was a promise to pay.

A collector can log a contact of an earlier day (a visit written up the next morning), so
the nightly run rewrites the last CONTACT_WINDOW_DAYS days (a backfill, every day from its
start); only contacts that occurred by the end of D count, so a rerun writes the same rows.
"""

import datetime

from django.db import connection

from analytics.services.loading import day_bounds, local_date_sql
from collections_app.models import Interaction

CONTACT_WINDOW_DAYS = 7

ATTEMPT_CHANNELS = (Interaction.Channel.CALL, Interaction.Channel.VISIT)
RPC_OUTCOMES = tuple(sorted(str(o) for o in Interaction.RPC_OUTCOMES))
REACHED_OUTCOMES = (*RPC_OUTCOMES, str(Interaction.Outcome.THIRD_PARTY))


def _in(values) -> str:
    # Literals from the model's own choices (nothing user-typed): the lists repeat in every
    # CASE, which positional parameters would make unreadable.
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def contact_snapshots_write(*, as_of: datetime.date, since: datetime.date | None = None) -> int:
    """Replace ContactDay for the recent days (or every day from `since`) up to `as_of`."""
    low = as_of - datetime.timedelta(days=CONTACT_WINDOW_DAYS)
    if since is not None:
        low = min(low, since)
    start, _end = day_bounds(low)
    _start, end = day_bounds(as_of)
    attempt = f"i.channel IN {_in(ATTEMPT_CHANNELS)}"
    day = local_date_sql("i.occurred_at")
    # One row per cut and channel, and one per cut for all channels (channel ''), from the
    # same scan: cases worked are distinct debts, which per-channel rows cannot add up to.
    contacts = f"""
        SELECT {day} AS as_of, d.creditor_id, d.portfolio_id, ds.segment_id,
               COALESCE(i.collector_id, d.assigned_to_id) AS collector_id, d.currency,
               i.channel, i.debt_id,
               CASE WHEN {attempt} THEN 1 ELSE 0 END AS attempt,
               CASE WHEN {attempt} AND i.outcome IN {_in(REACHED_OUTCOMES)} THEN 1 ELSE 0 END
                   AS reached,
               CASE WHEN {attempt} AND i.outcome IN {_in(RPC_OUTCOMES)} THEN 1 ELSE 0 END AS rpc,
               CASE WHEN {attempt} AND i.outcome = '{Interaction.Outcome.PROMISE_TO_PAY}'
                    THEN 1 ELSE 0 END AS promise
          FROM collections_app_interaction i JOIN portfolio_debt d ON d.id = i.debt_id
               LEFT JOIN analytics_debtsegment ds ON ds.debt_id = d.id
         WHERE i.occurred_at >= %s AND i.occurred_at < %s
    """
    cut = "as_of, creditor_id, portfolio_id, segment_id, collector_id, currency"
    sums = "count(*), count(DISTINCT debt_id), sum(attempt), sum(reached), sum(rpc), sum(promise)"
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM analytics_contactday WHERE as_of BETWEEN %s AND %s", [low, as_of]
        )
        cursor.execute(
            f"""
            INSERT INTO analytics_contactday
                ({cut}, channel, interactions, cases_worked, attempts, reached, rpc, promises)
            WITH contacts AS ({contacts})
            SELECT {cut}, channel, {sums} FROM contacts GROUP BY {cut}, channel
            UNION ALL
            SELECT {cut}, '', {sums} FROM contacts GROUP BY {cut}
            """,
            [start, end],
        )
        return cursor.rowcount
