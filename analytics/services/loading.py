"""Loading what segmentation needs straight from SQL into pandas (never ORM rows).

The query result is streamed with COPY ... TO STDOUT as CSV and parsed by pyarrow (about a
second per million rows: `core.bulk.arrow_frame`).
"""

import datetime

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils import timezone

from core.bulk import arrow_frame, days_between_sql, reads_beside
from portfolio.models import OPEN_STAGES


def day_bounds(as_of: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the business date in the operation's time zone, as aware datetimes."""
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time.min), tz)
    end = timezone.make_aware(
        datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min), tz
    )
    return start, end


def local_date_sql(column: str) -> str:
    """SQL for the business date (operation time zone) of an aware timestamp column."""
    return f"({column} AT TIME ZONE '{settings.TIME_ZONE}')::date"


# Debts as the snapshot queries read them: the debt's columns plus its current segment_id
# (kept in the side table analytics_debtsegment). Use it where a table name goes:
# `FROM {DEBTS_WITH_SEGMENT} d`; the planner flattens it into a plain join.
DEBTS_WITH_SEGMENT = (
    "(SELECT dd.*, dseg.segment_id FROM portfolio_debt dd"
    " LEFT JOIN analytics_debtsegment dseg ON dseg.debt_id = dd.id)"
)


DEBT_COLUMNS = [
    "id",
    "creditor_id",
    "debtor_id",
    "portfolio_id",
    "collector_id",
    "product",
    "currency",
    "balance",
    "dpd",
    "country",
    "region",
    "segment_id",
]
PAYMENT_COLUMNS = ["debt_id", "debtor_id", "paid_amount", "payments_total", "last_paid", "p180"]


def load_open_debts(*, as_of: datetime.date, creditor_ids=None, beside=False) -> pd.DataFrame:
    """One row per open debt with what the rules and the score read (payments merged in).

    With `beside` (the nightly job, in a transaction of its own) the payments, promises and
    contacts are read on a second connection while the debts stream in on this one
    (core.bulk.reads_beside): at 1M debts the payments aggregate took 0.9-1.0 s after the
    debts' 1.2-2.2 s, and now runs beside them."""
    dpd = days_between_sql(later="%s", earlier="d.due_date")
    stages = ", ".join(["%s"] * len(OPEN_STAGES))
    where = ""
    params: list = [as_of.isoformat(), *[str(s) for s in OPEN_STAGES]]
    if creditor_ids is not None:
        ids = [int(i) for i in creditor_ids] or [0]
        where = f" AND d.creditor_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids

    def debts_read() -> pd.DataFrame:
        return arrow_frame(
            f"""
            SELECT d.id, d.creditor_id, d.debtor_id, d.portfolio_id, d.assigned_to_id,
                   d.product, d.currency, CAST(d.balance AS double precision), {dpd},
                   r.country, r.region, ds.segment_id
              FROM portfolio_debt d JOIN portfolio_debtor r ON r.id = d.debtor_id
              LEFT JOIN analytics_debtsegment ds ON ds.debt_id = d.id
             WHERE d.stage IN ({stages}){where}
            """,
            params,
            DEBT_COLUMNS,
            text=("product", "currency", "country", "region"),
        )

    def others_read() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        return (
            payments_aggregate(as_of=as_of, creditor_ids=creditor_ids),
            load_promises(as_of=as_of, creditor_ids=creditor_ids),
            load_contacts(as_of=as_of, creditor_ids=creditor_ids),
        )

    if beside:
        debts, (payments, promises, contacts) = reads_beside(debts_read, others_read)
    else:
        debts = debts_read()
        payments, promises, contacts = others_read()
    payments = payments_with_debtors(
        payments, debtors=pd.Series(debts["debtor_id"].to_numpy(), index=debts["id"].to_numpy())
    )
    frame = debts_with_payments(debts, payments)
    frame = debts_with_promises(frame, promises)
    return debts_with_contacts(frame, contacts)


CONTACT_COLUMNS = ["debtor_id", "debtor_attempts", "debtor_rpcs"]
# Contact outcomes count for the score over this many days up to D.
CONTACT_WINDOW_DAYS = 180


def load_contacts(*, as_of: datetime.date, creditor_ids=None) -> pd.DataFrame:
    """Per debtor: contact attempts (outbound calls and field visits the collectors logged) in
    the 180 days up to the end of `as_of`, and how many reached the debtor themself."""
    # What counts as an attempt and as a right-party contact: the contact KPIs' own sets.
    from analytics.services.snapshots_contacts import ATTEMPT_CHANNELS, RPC_OUTCOMES

    _start, end = day_bounds(as_of)
    since, _ = day_bounds(as_of - datetime.timedelta(days=CONTACT_WINDOW_DAYS - 1))
    channels = [str(c) for c in ATTEMPT_CHANNELS]
    rpc = list(RPC_OUTCOMES)
    params: list = [*rpc, *channels, since, end]
    join = where = ""
    if creditor_ids is not None:
        ids = [int(i) for i in creditor_ids] or [0]
        join = " JOIN portfolio_debtor r ON r.id = i.debtor_id"
        where = f" AND r.creditor_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    return arrow_frame(
        f"""
        SELECT i.debtor_id, count(*),
               sum(CASE WHEN i.outcome IN ({", ".join(["%s"] * len(rpc))}) THEN 1 ELSE 0 END)
          FROM collections_app_interaction i{join}
         WHERE i.channel IN ({", ".join(["%s"] * len(channels))})
           AND i.occurred_at >= %s AND i.occurred_at < %s{where}
         GROUP BY i.debtor_id
        """,
        params,
        CONTACT_COLUMNS,
    )


def debts_with_contacts(debts: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """Add the debtor's `debtor_attempts` and `debtor_rpcs` (0 when never attempted)."""
    frame = _looked_up(
        debts,
        on="debtor_id",
        source=contacts.set_index("debtor_id"),
        columns={"debtor_attempts": "debtor_attempts", "debtor_rpcs": "debtor_rpcs"},
    )
    for column in ("debtor_attempts", "debtor_rpcs"):
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame


def _looked_up(
    debts: pd.DataFrame, *, on: str, source: pd.DataFrame, columns: dict[str, str]
) -> pd.DataFrame:
    """`debts` with `columns` (new name -> source column) of `source` (indexed by the key in
    `on`, unique) added by lookup: a left merge's result without copying the whole frame."""
    frame = debts.copy(deep=False)
    if source.empty:
        # Nothing to look up (no promises, no contacts yet): every row gets a gap.
        for name in columns:
            frame[name] = np.nan
        return frame
    found = source[list(columns.values())].reindex(frame[on].to_numpy())
    for name, column in columns.items():
        frame[name] = found[column].to_numpy()
    return frame


PROMISE_COLUMNS = ["debt_id", "debtor_id", "made", "kept", "broken", "agreement_broken"]


def load_promises(*, as_of: datetime.date, creditor_ids=None) -> pd.DataFrame:
    """Per debt with promises or agreements: promises made (not cancelled), kept and broken
    (resolved by `as_of`), and whether an agreement covering it broke by `as_of`."""
    where, params = "", [as_of, as_of, as_of, as_of]
    if creditor_ids is not None:
        ids = [int(i) for i in creditor_ids] or [0]
        where = f" WHERE d.creditor_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    return arrow_frame(
        f"""
        SELECT x.debt_id, d.debtor_id, sum(x.made), sum(x.kept), sum(x.broken),
               max(x.agreement_broken)
          FROM (
            SELECT p.debt_id, 1 AS made,
                   CASE WHEN p.status = 'kept' AND p.resolved_on <= %s THEN 1 ELSE 0 END AS kept,
                   CASE WHEN p.status = 'broken' AND p.resolved_on <= %s THEN 1 ELSE 0 END
                       AS broken,
                   0 AS agreement_broken
              FROM agreements_promisetopay p
             WHERE p.status <> 'cancelled' AND p.made_on <= %s
            UNION ALL
            SELECT l.debt_id, 0, 0, 0, 1
              FROM agreements_agreementdebt l
              JOIN agreements_paymentagreement a ON a.id = l.agreement_id
             WHERE a.status = 'broken' AND a.ended_on <= %s
          ) x JOIN portfolio_debt d ON d.id = x.debt_id{where}
         GROUP BY x.debt_id, d.debtor_id
        """,
        params,
        PROMISE_COLUMNS,
    )


def debts_with_promises(debts: pd.DataFrame, promises: pd.DataFrame) -> pd.DataFrame:
    """Add per-debt `broken_promises`, `agreement_broken` and the debtor's promise counts
    (all their debts, closed ones too): `debtor_promises`, `debtor_kept`, `debtor_broken`."""
    per_debtor = promises.groupby("debtor_id").agg(
        debtor_promises=("made", "sum"),
        debtor_kept=("kept", "sum"),
        debtor_broken=("broken", "sum"),
    )
    frame = _looked_up(
        debts,
        on="id",
        source=promises.set_index("debt_id"),
        columns={"broken_promises": "broken", "agreement_broken": "agreement_broken"},
    )
    frame = _looked_up(
        frame,
        on="debtor_id",
        source=per_debtor,
        columns={c: c for c in ("debtor_promises", "debtor_kept", "debtor_broken")},
    )
    for column in (
        "broken_promises",
        "agreement_broken",
        "debtor_promises",
        "debtor_kept",
        "debtor_broken",
    ):
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame


def payments_aggregate(*, as_of: datetime.date, creditor_ids=None) -> pd.DataFrame:
    """Per debt (open or closed) with payments: PAYMENT_COLUMNS but the debtor.

    The aggregate reads the payments alone (no join with the debts, which cost more than the
    aggregate itself): payments_with_debtors adds each debt's debtor."""
    _start, end = day_bounds(as_of)
    since_180, _ = day_bounds(as_of - datetime.timedelta(days=179))
    last = days_between_sql(later="%s", earlier=f"max({local_date_sql('p.paid_at')})")
    params: list = [as_of.isoformat(), since_180, end]
    where = ""
    if creditor_ids is not None:
        ids = [int(i) for i in creditor_ids] or [0]
        where = f" AND p.creditor_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    return arrow_frame(
        f"""
        SELECT p.debt_id, CAST(sum(p.amount) AS double precision), count(*), {last},
               sum(CASE WHEN p.paid_at >= %s THEN 1 ELSE 0 END)
          FROM portfolio_payment p
         WHERE p.paid_at < %s AND p.reversed_at IS NULL{where}
         GROUP BY p.debt_id
        """,
        params,
        [c for c in PAYMENT_COLUMNS if c != "debtor_id"],
    )


def payments_with_debtors(payments: pd.DataFrame, *, debtors=None) -> pd.DataFrame:
    """`payments` (payments_aggregate) with each debt's `debtor_id`, taken from `debtors`
    (debt id -> debtor id, e.g. the open debts already loaded); only the debts missing there
    are looked up."""
    known = debtors if debtors is not None else pd.Series(dtype="int64")
    debtor = known.reindex(payments["debt_id"].to_numpy()).to_numpy()
    missing = payments["debt_id"].to_numpy()[pd.isna(debtor)]
    if len(missing):
        # Closed debts (or all of them, without `debtors`): one lookup by primary key.
        found = arrow_frame(
            "SELECT id, debtor_id FROM portfolio_debt WHERE id = ANY(%s)",
            [[int(i) for i in missing]],
            ["id", "debtor_id"],
        ).set_index("id")["debtor_id"]
        debtor = pd.Series(debtor).fillna(
            pd.Series(found.reindex(payments["debt_id"].to_numpy()).to_numpy())
        )
    debtor = pd.Series(debtor)
    payments = payments.copy(deep=False)
    payments.insert(
        1, "debtor_id", (debtor if debtor.isna().any() else debtor.astype("int64")).to_numpy()
    )
    return payments


def debts_with_payments(debts: pd.DataFrame, payments: pd.DataFrame) -> pd.DataFrame:
    """Merge per-debt payment figures and the debtor's (all their debts) into the debts frame."""
    per_debtor = payments.groupby("debtor_id").agg(
        debtor_days_since_payment=("last_paid", "min"), debtor_payments_180=("p180", "sum")
    )
    frame = _looked_up(
        debts,
        on="id",
        source=payments.set_index("debt_id"),
        columns={
            "paid_amount": "paid_amount",
            "payments_total": "payments_total",
            "days_since_payment": "last_paid",
        },
    )
    frame = _looked_up(
        frame,
        on="debtor_id",
        source=per_debtor,
        columns={c: c for c in ("debtor_days_since_payment", "debtor_payments_180")},
    )
    for column in ("paid_amount", "payments_total", "debtor_payments_180"):
        frame[column] = frame[column].fillna(0)
    for column in ("days_since_payment", "debtor_days_since_payment", "dpd", "balance"):
        frame[column] = frame[column].astype("float64")
    for column in ("country", "region", "product", "currency"):
        frame[column] = frame[column].fillna("").astype(str)
    return frame


def load_scores() -> pd.DataFrame:
    return arrow_frame(
        "SELECT debtor_id, score, reasons FROM analytics_behaviourscore",
        [],
        ["debtor_id", "score", "reasons"],
        text=("reasons",),
    )
