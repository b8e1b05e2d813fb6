"""How the agency's commission on an entry is found: one SQL rule, read by the statement's
preparation (set-based, in its INSERT … SELECT), by `commission_for` and by the warnings.

For each entry, the creditor's rate set (all rates with one `valid_from`) with the latest
`valid_from` on or before the entry's business date; in it the rate of the entry's stage (a set
by stage) or of its days-past-due bucket (a set by age), both as they were when the entry was
posted. No rate matches: 0 %, and the statement warns about that line.

A reversal takes the commission of the payment it undoes, negated: the commission that
payment's line had in an issued statement (carried from it), or else the one computed for the
payment by the rule above.
"""

import dataclasses
import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from ledger.models import CommissionRate, LedgerEntry, Remittance, RemittanceLine


def tables() -> dict:
    return {
        "entry": LedgerEntry._meta.db_table,
        "line": RemittanceLine._meta.db_table,
        "remittance": Remittance._meta.db_table,
        "rate": CommissionRate._meta.db_table,
    }


def rate_bucket_label(rate) -> str:
    """ "31–60" or "91+" days past due."""
    if rate.max_dpd is None:
        return f"{rate.min_dpd}+"
    return f"{rate.min_dpd}–{rate.max_dpd}"


# The rate of entry `b` (columns creditor_id, posted_on, stage, days_past_due): the rate set with
# the latest valid_from on or before its date, and in it the rate of its stage or age bucket.
# Only rates recorded by %(cut)s count: a statement's warnings read again later see what its
# preparation saw.
_RATE_SQL = """
    SELECT r.id, r.percent FROM {rate} r
    WHERE r.creditor_id = b.creditor_id
      AND r.created_at <= %(cut)s
      AND r.valid_from = (
          SELECT max(s.valid_from) FROM {rate} s
          WHERE s.creditor_id = b.creditor_id AND s.valid_from <= b.posted_on
            AND s.created_at <= %(cut)s
      )
      AND ((r.basis = 'stage' AND r.stage = b.stage)
           OR (r.basis = 'age' AND b.days_past_due >= r.min_dpd
               AND (r.max_dpd IS NULL OR b.days_past_due <= r.max_dpd)))
    ORDER BY r.id
    LIMIT 1
"""

# Each entry `p` (of a relation named `picked`) with what its commission is: `paid`, the
# collected entry a reversal undoes; `prior`, that entry's line in a statement issued by %(cut)s
# (other than %(remittance)s); `b`, the entry the rate is read for (the payment, for a reversal
# of one); `rate`, the matching rate.
_RATED_FROM = """
    FROM picked p
    LEFT JOIN LATERAL (
        SELECT c.id, c.creditor_id, c.posted_on, c.stage, c.days_past_due FROM {entry} c
        WHERE p.kind = 'reversal' AND p.payment_id IS NOT NULL
          AND c.payment_id = p.payment_id AND c.kind IN ('payment', 'recovery')
        ORDER BY c.id
        LIMIT 1
    ) paid ON TRUE
    LEFT JOIN LATERAL (
        SELECT l.percent, l.commission, l.remittance_id FROM {line} l
        JOIN {remittance} pr ON pr.id = l.remittance_id
        WHERE l.entry_id = paid.id AND pr.status = 'issued'
          AND pr.id IS DISTINCT FROM %(remittance)s AND pr.issued_at <= %(cut)s
        ORDER BY l.id
        LIMIT 1
    ) prior ON TRUE
    CROSS JOIN LATERAL (
        SELECT p.creditor_id,
               CASE WHEN paid.id IS NULL THEN p.posted_on ELSE paid.posted_on END AS posted_on,
               CASE WHEN paid.id IS NULL THEN p.stage ELSE paid.stage END AS stage,
               CASE WHEN paid.id IS NULL THEN p.days_past_due ELSE paid.days_past_due END
                   AS days_past_due
    ) b
    LEFT JOIN LATERAL ({rate_sql}) rate ON TRUE
"""

# The line's amount (collected money positive), percent and commission, as SQL over `p`.
AMOUNT = "-p.amount"
PERCENT = "COALESCE(prior.percent, rate.percent, 0)"
COMMISSION = (
    "CASE WHEN prior.commission IS NOT NULL THEN -prior.commission "
    f"ELSE round(-p.amount * {PERCENT} / 100, 2) END"
)
CARRIED_FROM = "CASE WHEN prior.commission IS NOT NULL THEN prior.remittance_id END"


def rated_from() -> str:
    """The FROM clause that rates each row of a CTE `picked` (ledger entry columns)."""
    names = tables()
    return _RATED_FROM.format(rate_sql=_RATE_SQL.format(**names), **names)


@dataclasses.dataclass(frozen=True)
class EntryCommission:
    """What the agency earns on one entry: the rate applied and the commission (signed)."""

    entry_id: int
    amount: Decimal  # -entry.amount: collected money positive, a reversal negative
    percent: Decimal
    commission: Decimal
    rate_id: int | None  # the rate that matched (None: none did, or carried)
    carried_from: int | None  # the issued statement whose payment line a reversal undoes

    @property
    def no_rate(self) -> bool:
        """No rate matched: 0 % was applied (a warning on the statement)."""
        return self.rate_id is None and self.carried_from is None


def commission_for(
    entries: Iterable[LedgerEntry], *, cut: datetime.datetime | None = None
) -> dict[int, EntryCommission]:
    """The commission on each entry by its creditor's rates (those recorded by `cut`, default
    now); {entry id: EntryCommission}."""
    ids = sorted({entry.pk for entry in entries})
    if not ids:
        return {}
    sql = f"""
        WITH picked AS (SELECT * FROM {tables()["entry"]} WHERE id = ANY(%(ids)s))
        SELECT p.id, {AMOUNT}, {PERCENT}, {COMMISSION}, rate.id, {CARRIED_FROM}
        {rated_from()}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": ids, "cut": cut or timezone.now(), "remittance": None})
        rows = cursor.fetchall()
    return {
        entry_id: EntryCommission(
            entry_id=entry_id,
            amount=amount,
            percent=percent,
            commission=commission,
            rate_id=rate_id if carried is None else None,
            carried_from=carried,
        )
        for entry_id, amount, percent, commission, rate_id, carried in rows
    }


def lines_without_rate(remittance: Remittance) -> set[int]:
    """Ids of the statement's lines no commission rate matched (0 % applied): its warnings."""
    names = tables()
    sql = f"""
        WITH picked AS (
            SELECT e.*, l.id AS line_id FROM {names["line"]} l
            JOIN {names["entry"]} e ON e.id = l.entry_id
            WHERE l.remittance_id = %(remittance)s AND l.percent = 0
        )
        SELECT p.line_id {rated_from()}
        WHERE prior.commission IS NULL AND rate.id IS NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"remittance": remittance.pk, "cut": remittance.created_at})
        return {row[0] for row in cursor.fetchall()}
