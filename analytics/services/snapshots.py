"""KPI snapshot tables, written with INSERT ... SELECT ... GROUP BY (exact numeric sums).

For a business date D (see docs/segments.md):
* AgingSnapshot: open debts and balance per aging bucket at the end of D;
* CollectionDay: payments received on D less those reversed on D, debts paid or settled on D
  (with the days from first delinquency), debts placed on D with their balance at placement;
* DebtMonthOpening: every open debt's bucket and balance at the start of a month, written by
  the run for the month's last day (or, the first time a month is seen, from that day's state);
* BucketTransition: for the month of D, where each opening balance is on D (month to date;
  final once the month's last day ran).
Each is replaced for its date (or month), so a rerun writes the same rows again.
"""

import datetime

from django.db import connection

from analytics.services.loading import DEBTS_WITH_SEGMENT, day_bounds
from analytics.services.snapshots_activity import activity_snapshots_write
from analytics.services.snapshots_contacts import contact_snapshots_write
from core.bulk import days_between_sql, local_setting, phase_timer
from portfolio.models import OPEN_STAGES

CUT = "creditor_id, portfolio_id, segment_id, collector_id, currency"
DEBT_CUT = "d.creditor_id, d.portfolio_id, d.segment_id, d.assigned_to_id, d.currency"


def bucket_sql(dpd: str) -> str:
    return (
        f"CASE WHEN {dpd} <= 0 THEN 'current' WHEN {dpd} <= 30 THEN '1-30' "
        f"WHEN {dpd} <= 60 THEN '31-60' WHEN {dpd} <= 90 THEN '61-90' "
        f"WHEN {dpd} <= 180 THEN '91-180' WHEN {dpd} <= 360 THEN '181-360' ELSE '360+' END"
    )


def _dpd(as_of) -> str:
    # The date is a literal (an ISO date, nothing user-typed): the expression repeats inside
    # the bucket CASE and the GROUP BY, which positional parameters would make unreadable.
    return days_between_sql(later=f"'{as_of.isoformat()}'", earlier="d.due_date")


def _open_sql() -> str:
    stages = ", ".join(f"'{s}'" for s in OPEN_STAGES)
    return f"d.stage IN ({stages}) AND d.balance > 0"


# The tables the snapshot statements read in bulk, with the columns their plans depend on.
READ_TABLES = {
    "portfolio_debt": ("id", "stage", "balance", "due_date", "portfolio_id"),
    "portfolio_payment": ("debt_id", "paid_at"),
    "ledger_paymentreversal": ("business_date",),
    "messaging_message": ("id", "business_date", "status"),
    "messaging_messagedebt": ("message_id", "debt_id"),
    "agreements_promisetopay": (),
    "agreements_paymentagreement": (),
    "agreements_agreementdebt": (),
    "agreements_instalment": (),
    "collections_app_interaction": ("debt_id", "occurred_at", "channel"),
}


def statistics_refresh(cursor, *, also=()) -> list[str]:
    """ANALYZE the tables read here whose row count the planner has wrong (and `also`).

    The day's cycle plans a day of messages just before this job: with the statistics of
    the day before, a hundred thousand new messages are planned as a thousand and joined row
    by row (twice as slow as hashing them). Autovacuum would refresh them eventually (not at
    all where it is off); this job needs them now. A table is refreshed when its live rows
    differ by more than 10 % from the planner's count (rows updated in place, like the
    debts' stage moves, leave the join plans as they were). Returns the tables analysed,
    each only for the columns its statements filter and join on.
    """
    cursor.execute(
        "SELECT c.relname, c.reltuples, s.n_live_tup FROM pg_class c"
        " JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = ANY(%s)",
        [list(READ_TABLES)],
    )
    stale = [
        name
        for name, planned, live in cursor.fetchall()
        if abs(live - max(planned, 0)) > 1000 + 0.1 * max(planned, 0)
    ]
    for name in [*stale, *also]:
        columns = READ_TABLES.get(name, ())
        cursor.execute(f"ANALYZE {name}" + (f" ({', '.join(columns)})" if columns else ""))
    return [*stale, *also]


def snapshots_write(
    *, as_of: datetime.date, debts=None, segments_moved: bool = False
) -> dict[str, float]:
    """Replace every snapshot row of `as_of` (and its month's transitions); seconds per table.

    `segments_moved`: the nightly job rewrote a large share of the debts' segments (its
    statistics are then refreshed before the snapshots join them).

    `debts`: the nightly job's frame of the open debts (loaded and segmented in this
    transaction); when usable, the aging snapshot and a month opening come from it
    (analytics.services.snapshots_frame) instead of another scan of the debts.
    """
    from analytics.services.snapshots_frame import (
        aging_copy,
        frame_usable,
        open_debts,
        transitions_copy,
    )

    seconds, phase = phase_timer()
    frame = open_debts(debts) if frame_usable(debts) else None
    with connection.cursor() as cursor:
        with phase("statistics"):
            # The segments just written in this transaction are not counted by the
            # statistics views yet: the job says whether it rewrote much of them.
            statistics_refresh(cursor, also=("analytics_debtsegment",) if segments_moved else ())
        with phase("aging"):
            if frame is None:
                _aging(cursor, as_of)
            else:
                cursor.execute("DELETE FROM analytics_agingsnapshot WHERE as_of = %s", [as_of])
                aging_copy(frame, as_of=as_of)
        with phase("collection day"):
            _collection_day(cursor, as_of)
        month = as_of.replace(day=1)
        opened_now = False
        with phase("month opening"):
            cursor.execute(
                "SELECT 1 FROM analytics_debtmonthopening WHERE month = %s LIMIT 1", [month]
            )
            if cursor.fetchone() is None:
                _opening(cursor, as_of=as_of, month=month, frame=frame)
                opened_now = True
        with phase("bucket transitions"):
            if opened_now and frame is not None:
                # The opening is this very frame: every balance is where it opened.
                cursor.execute("DELETE FROM analytics_buckettransition WHERE month = %s", [month])
                transitions_copy(frame, month=month, as_of=as_of)
            else:
                _transitions(cursor, as_of=as_of, month=month)
        next_day = as_of + datetime.timedelta(days=1)
        if next_day.day == 1:
            with phase("month opening"):
                _opening(cursor, as_of=as_of, month=next_day, frame=frame)
        activity_snapshots_write(cursor, as_of=as_of, phase=phase)
    return seconds


def _aging(cursor, as_of) -> None:
    dpd = _dpd(as_of)
    cursor.execute("DELETE FROM analytics_agingsnapshot WHERE as_of = %s", [as_of])
    cursor.execute(
        f"""
        INSERT INTO analytics_agingsnapshot (as_of, {CUT}, bucket, debts, balance)
        SELECT %s, {DEBT_CUT}, {bucket_sql(dpd)}, count(*), sum(d.balance)
          FROM {DEBTS_WITH_SEGMENT} d
         WHERE {_open_sql()}
         GROUP BY {DEBT_CUT}, {bucket_sql(dpd)}
        """,
        [as_of],
    )


def _collection_day(cursor, as_of) -> None:
    start, end = day_bounds(as_of)
    overdue = _dpd(as_of)
    cursor.execute("DELETE FROM analytics_collectionday WHERE as_of = %s", [as_of])
    cursor.execute(
        f"""
        INSERT INTO analytics_collectionday
            (as_of, {CUT}, collected, payments, paying_debts, debts_closed, days_to_collect,
             debts_placed, placed_balance)
        SELECT %s, creditor_id, portfolio_id, segment_id, collector_id, currency,
               sum(collected), sum(payments), count(DISTINCT paying_debt), sum(closed),
               sum(days), sum(placed), sum(placed_balance)
          FROM (
            SELECT d.creditor_id, d.portfolio_id, d.segment_id,
                   d.assigned_to_id AS collector_id, d.currency, p.amount AS collected,
                   1 AS payments, p.debt_id AS paying_debt, 0 AS closed, 0 AS days,
                   0 AS placed, 0 AS placed_balance
              FROM portfolio_payment p JOIN {DEBTS_WITH_SEGMENT} d ON d.id = p.debt_id
             WHERE p.paid_at >= %s AND p.paid_at < %s
            UNION ALL
            -- Net of reversals: a payment reversed on D is taken off D's collected amount
            -- (the day it was received keeps its figure: a day's snapshot is never rewritten
            -- by a later event, and a period's sum is then payments less reversals in it).
            SELECT d.creditor_id, d.portfolio_id, d.segment_id, d.assigned_to_id,
                   d.currency, -p.amount, 0, NULL, 0, 0, 0, 0
              FROM ledger_paymentreversal r
              JOIN portfolio_payment p ON p.id = r.payment_id
              JOIN {DEBTS_WITH_SEGMENT} d ON d.id = p.debt_id
             WHERE r.business_date = %s
            UNION ALL
            SELECT d.creditor_id, d.portfolio_id, d.segment_id, d.assigned_to_id,
                   d.currency, 0, 0, NULL, 1,
                   CASE WHEN {overdue} < 0 THEN 0 ELSE {overdue} END, 0, 0
              FROM {DEBTS_WITH_SEGMENT} d
             WHERE d.id IN (SELECT debt_id FROM portfolio_stagechange
                             WHERE business_date = %s AND to_stage IN ('paid', 'settled'))
            UNION ALL
            SELECT d.creditor_id, d.portfolio_id, d.segment_id, d.assigned_to_id,
                   d.currency, 0, 0, NULL, 0, 0, 1,
                   d.balance + COALESCE((SELECT sum(p2.amount) FROM portfolio_payment p2
                                          WHERE p2.debt_id = d.id AND p2.paid_at >= %s
                                            AND p2.reversed_at IS NULL), 0)
              FROM {DEBTS_WITH_SEGMENT} d LEFT JOIN portfolio_portfolio f ON f.id = d.portfolio_id
             WHERE (f.assigned_on = %s)
                OR (d.portfolio_id IS NULL AND d.created_at >= %s AND d.created_at < %s)
          ) flows
         GROUP BY {CUT}
        """,
        [as_of, start, end, as_of, as_of, start, as_of, start, end],
    )


def _opening(cursor, *, as_of, month, frame=None) -> None:
    dpd = _dpd(as_of)
    cursor.execute("DELETE FROM analytics_debtmonthopening WHERE month = %s", [month])
    if frame is not None:
        from analytics.services.snapshots_frame import opening_copy

        opening_copy(frame, month=month)
    else:
        _opening_insert(cursor, dpd=dpd, month=month)
    # A month's worth of new rows: the transitions read them every night of the month, and
    # with stale statistics they would be planned as a thousand rows (sorted, not hashed).
    # The row count and the months are what the plan needs: a small sample of one column.
    with local_setting("default_statistics_target", "10"):
        cursor.execute("ANALYZE analytics_debtmonthopening (month)")


def _opening_insert(cursor, *, dpd, month) -> None:
    cursor.execute(
        f"""
        INSERT INTO analytics_debtmonthopening (month, debt_id, {CUT}, bucket, balance)
        SELECT %s, d.id, {DEBT_CUT}, {bucket_sql(dpd)}, d.balance
          FROM {DEBTS_WITH_SEGMENT} d
         WHERE {_open_sql()}
         -- In key order: the (month, debt) index of a million rows is then filled page by
         -- page, not at random (which cost most of the first night's snapshots).
         ORDER BY d.id
        """,
        [month],
    )


# Where an opening balance is now, as a small integer while 100k+ rows are grouped (text
# keys cost a collation-aware sort), named once the groups are few: 0-6 the aging buckets
# (width_bucket of the days past due over the buckets' lower limits), 7 paid, 8 written off.
STATE_NAMES = [
    "current",
    "1-30",
    "31-60",
    "61-90",
    "91-180",
    "181-360",
    "360+",
    "paid",
    "written_off",
]


def _transitions(cursor, *, as_of, month) -> None:
    dpd = _dpd(as_of)
    to_state = (
        "CASE WHEN d.stage IN ('paid', 'settled') OR d.balance = 0 THEN 7 "
        f"WHEN d.stage = 'written_off' THEN 8 "
        f"ELSE width_bucket({dpd}, ARRAY[1, 31, 61, 91, 181, 361]) END"
    )
    names = "ARRAY[" + ", ".join(f"'{name}'" for name in STATE_NAMES) + "]"
    cursor.execute("DELETE FROM analytics_buckettransition WHERE month = %s", [month])
    # The planner counts the groups from the columns the state reads (a debt's balance and due
    # date: nearly one value per debt), so it expects a group per opening and sorts the month's
    # openings by seven keys to group them: 2.8-3.1 s every night at 1M debts. There are a few
    # hundred groups, which a hash aggregate gathers in one pass (1.5 s). No statistics can
    # tell it so (the state is an expression over another table's columns): no sort here.
    with local_setting("enable_sort", "off"):
        # Grouped per opening cut first (one pass over the month's openings joined with the
        # debts), then the few groups meet the segments and users.
        cursor.execute(
            f"""
            INSERT INTO analytics_buckettransition
                (month, as_of, creditor_id, portfolio_id, segment_id, collector_id, currency,
                 from_bucket, to_state, debts, balance_start)
            SELECT %s, %s, t.creditor_id, t.portfolio_id, s.id, u.id, t.currency,
                   t.bucket, ({names})[t.state + 1], sum(t.debts), sum(t.balance)
              FROM (
                SELECT o.creditor_id, o.portfolio_id, o.segment_id, o.collector_id, o.currency,
                       o.bucket, {to_state} AS state, count(*) AS debts, sum(o.balance) AS balance
                  FROM analytics_debtmonthopening o JOIN portfolio_debt d ON d.id = o.debt_id
                 WHERE o.month = %s
                 GROUP BY 1, 2, 3, 4, 5, 6, 7
              ) t
              -- A segment or user deleted since the month started is reported as "none".
              LEFT JOIN analytics_segmentdefinition s ON s.id = t.segment_id
              LEFT JOIN auth_user u ON u.id = t.collector_id
             GROUP BY t.creditor_id, t.portfolio_id, s.id, u.id, t.currency, t.bucket, t.state
            """,
            [month, as_of, month],
        )


def collection_days_backfill(*, start: datetime.date, end: datetime.date) -> int:
    """Rebuild CollectionDay for [start, end), activity and contact snapshots for [start, end].

    (Aging and transitions describe the portfolio as it stands, so they are not backfilled.)
    """
    from django.db import transaction

    days = 0
    with transaction.atomic(), connection.cursor() as cursor:
        day = start
        while day < end:
            _collection_day(cursor, day)
            day += datetime.timedelta(days=1)
            days += 1
        # Promises, instalments and messages of those days, judged with the facts up to `end`.
        activity_snapshots_write(cursor, as_of=end, since=start)
        contact_snapshots_write(as_of=end, since=start)
    return days
