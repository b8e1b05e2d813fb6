"""Daily late-interest accrual: one set-based statement per chunk of debts, replayable by date.

For a business date each open debt past due beyond its rule's grace days accrues one day of
late interest on its outstanding principal (never on interest): an `accrual` ledger entry and
the same amount added to the debt's interest and balance, in one statement per chunk (a CTE that
locks the chunk's debts in id order, inserts the entries with ON CONFLICT DO NOTHING and adds
what it inserted to the debts). The unique (debt, business date) index on accrual entries makes
a replayed date insert, and so add, nothing.

The rate is the debt's contract rate, else the rule's, cut to the ceiling of the day: in
Colombia the usury rate the Superintendencia Financiera certified for the rule's credit type
(Código de Comercio art. 884; with no certified rate covering the day nothing accrues, since the
ceiling cannot be checked) and the creditor's own maximum when lower; elsewhere the creditor's
maximum (LedgerSettings.max_late_rate) when set. See docs/ledger/accrual.md.
"""

import calendar
import datetime
from collections.abc import Iterable

from django.db import connection, transaction

from ledger.hooks import accrual_frozen_sql
from ledger.models import AccrualRule, DayCount, LedgerEntry, LedgerSettings, UsuryRate
from portfolio.models import OPEN_STAGES, Debt, Debtor

DEFAULT_CHUNK = 20_000
MAX_ID = 2**63 - 1


def thirty_e_360_days(as_of: datetime.date) -> int:
    """Days of the 30E/360 (ISDA) count from the day before `as_of` to `as_of`.

    Every month counts 30 days: the 31st adds nothing, the last day of February fills the month
    up to 30 (3 days, or 2 in a leap year), any other day adds one."""
    if as_of.day == 31:
        return 0
    last = calendar.monthrange(as_of.year, as_of.month)[1]
    if as_of.month == 2 and as_of.day == last:
        return 30 - (as_of.day - 1)
    return 1


def day_count_terms(as_of: datetime.date) -> list[tuple[str, int, int]]:
    """(day count, days accrued on `as_of`, days in its year) for every day count."""
    leap = calendar.isleap(as_of.year)
    return [
        (DayCount.ACT_365, 1, 365),
        (DayCount.ACT_360, 1, 360),
        (DayCount.ACT_ACT, 1, 366 if leap else 365),
        (DayCount.THIRTY_360, thirty_e_360_days(as_of), 360),
    ]


def _tables() -> dict[str, str]:
    return {
        "debt": Debt._meta.db_table,
        "debtor": Debtor._meta.db_table,
        "entry": LedgerEntry._meta.db_table,
        "rule": AccrualRule._meta.db_table,
        "settings": LedgerSettings._meta.db_table,
        "usury": UsuryRate._meta.db_table,
    }


def _frozen_sql() -> str:
    """The debts whose accrual an agreement freezes on %(as_of)s (ledger.hooks), or none."""
    parts = [f"({sql})" for sql in accrual_frozen_sql.call_all()]
    return " UNION ALL ".join(parts) if parts else "SELECT NULL::bigint AS debt_id WHERE false"


def _day_counts_sql(as_of: datetime.date) -> str:
    rows = ", ".join(f"('{code}', {days}, {year})" for code, days, year in day_count_terms(as_of))
    return f"(VALUES {rows}) AS dc(day_count, days, year)"


def _candidates_sql() -> str:
    """SQL true for a debt `d` that may accrue on %(as_of)s: open, past due, with principal, of
    a (creditor, product) with a rule in force; `{creditor_filter}` is left for the caller."""
    open_stages = ", ".join(f"'{stage}'" for stage in OPEN_STAGES)
    return f"""d.stage IN ({open_stages}) AND d.principal > 0 AND d.due_date < %(as_of)s
      {{creditor_filter}}
      AND EXISTS (
          SELECT 1 FROM {AccrualRule._meta.db_table} ar
          WHERE ar.creditor_id = d.creditor_id AND ar.product = d.product
            AND ar.valid_from <= %(as_of)s AND ar.is_active
      )"""


def _accrual_sql(as_of: datetime.date) -> str:
    """The statement for one chunk (debt ids in [%(lo)s, %(hi)s))."""
    return """
WITH locked AS (
    -- The chunk's debts locked in id order (portfolio.services.locks), read as locked.
    SELECT d.id, d.creditor_id, d.debtor_id, d.product, d.currency, d.principal, d.stage,
           d.due_date, d.contract_rate
    FROM {debt} d
    WHERE d.id >= %(lo)s AND d.id < %(hi)s
      -- Only debts a rule in force makes accrue: the others are neither locked nor read (the
      -- lock lasts as long as the daily cycle's transaction, and a payment waits for it).
      AND {candidates}
      -- Already accrued for the date (a replay): neither locked nor computed again. The
      -- chunk's own entries of the day, hashed once (a NOT IN subplan): the planner cannot
      -- know how many entries today already has, and a per-debt scan of all of them grew
      -- quadratic over a million-debt day.
      AND d.id NOT IN (
          SELECT e.debt_id FROM {entry} e
          WHERE e.kind = 'accrual' AND e.posted_on = %(as_of)s
            AND e.debt_id >= %(lo)s AND e.debt_id < %(hi)s
      )
    ORDER BY d.id
    FOR NO KEY UPDATE
),
rule AS (
    -- Each (creditor, product)'s rule in force: the latest version valid on the date.
    SELECT DISTINCT ON (creditor_id, product)
           creditor_id, product, annual_rate, rate_basis, day_count, grace_days, credit_type,
           is_active
    FROM {rule}
    WHERE valid_from <= %(as_of)s
    ORDER BY creditor_id, product, valid_from DESC
),
usury AS (
    -- The certified usury rate covering the date per credit type (the lowest, were two to
    -- overlap: the ceiling errs on the debtor's side).
    SELECT credit_type, min(usury_rate) AS usury_rate
    FROM {usury}
    WHERE valid_from <= %(as_of)s AND valid_to >= %(as_of)s
    GROUP BY credit_type
),
due AS (
    SELECT l.id AS debt_id, l.creditor_id, l.currency, l.principal, l.stage,
           (%(as_of)s::date - l.due_date) AS dpd, r.rate_basis, dc.days, dc.year,
           coalesce(l.contract_rate, r.annual_rate) AS wanted,
           CASE WHEN p.country = 'CO' THEN least(u.usury_rate, s.max_late_rate)
                ELSE s.max_late_rate END AS ceiling
    FROM locked l
    JOIN {debtor} p ON p.id = l.debtor_id
    JOIN rule r ON r.creditor_id = l.creditor_id AND r.product = l.product AND r.is_active
    JOIN {day_counts} ON dc.day_count = r.day_count
    LEFT JOIN {settings} s ON s.creditor_id = l.creditor_id AND s.country = p.country
    LEFT JOIN usury u ON u.credit_type = r.credit_type
    WHERE %(as_of)s::date > l.due_date + r.grace_days
      -- Colombia: no certified rate covering the day, no accrual (the ceiling is unknown).
      AND (p.country <> 'CO' OR u.usury_rate IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM ({frozen}) f WHERE f.debt_id = l.id)
),
rated AS (
    SELECT due.*,
           CASE WHEN ceiling IS NOT NULL AND wanted > ceiling THEN ceiling ELSE wanted END AS rate,
           (ceiling IS NOT NULL AND wanted > ceiling) AS capped
    FROM due
),
amounts AS (
    SELECT rated.*,
           round(principal * CASE
               WHEN rate_basis = 'effective_annual' THEN
                   power(1 + rate / 100, days::numeric(40, 30) / year) - 1
               ELSE rate / 100 * days::numeric(40, 30) / year
           END, 2) AS interest
    FROM rated
    WHERE days > 0 AND rate > 0
),
written AS (
    INSERT INTO {entry} (
        debt_id, creditor_id, currency, kind, posted_on, created_at, principal, interest,
        fees, amount, payment_id, stage, days_past_due, rate, rate_capped, source_id, user_id,
        memo
    )
    SELECT debt_id, creditor_id, currency, 'accrual', %(as_of)s, now(), 0, interest,
           0, interest, NULL, stage, dpd, rate, capped, NULL, NULL, ''
    FROM amounts
    WHERE interest > 0
    ON CONFLICT DO NOTHING
    RETURNING debt_id, interest
)
UPDATE {debt} d
SET interest = d.interest + w.interest, balance = d.balance + w.interest, updated_at = now()
FROM written w
WHERE d.id = w.debt_id
""".format(
        candidates=_candidates_sql(),
        day_counts=_day_counts_sql(as_of),
        frozen=_frozen_sql(),
        **_tables(),
    )


def _chunk_starts(*, as_of: datetime.date, creditor_ids: list[int] | None, chunk: int) -> list[int]:
    """The first debt id of each chunk of `chunk` candidate debts (every chunk-th id).

    Candidates as the chunk statement reads them (`_candidates_sql`). A book without interest
    rules (a utility's, an agency's) has none, and the day's accrual ends here: numbering its
    million open debts took 0.43 s of every daily cycle for nothing."""
    creditor_filter = "AND d.creditor_id = ANY(%(creditors)s)" if creditor_ids is not None else ""
    candidates = _candidates_sql().replace("{creditor_filter}", creditor_filter)
    sql = f"""
        SELECT id FROM (
            SELECT d.id, row_number() OVER (ORDER BY d.id) AS n
            FROM {Debt._meta.db_table} d
            WHERE {candidates}
        ) numbered
        WHERE (n - 1) %% %(chunk)s = 0
        ORDER BY id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"as_of": as_of, "creditors": creditor_ids, "chunk": chunk})
        return [row[0] for row in cursor.fetchall()]


# Entries written by one run above which the entries table's statistics are refreshed.
ANALYZE_AFTER = 10_000


def accrual_run(
    *,
    as_of: datetime.date,
    creditor_ids: Iterable[int] | None = None,
    chunk: int = DEFAULT_CHUNK,
) -> int:
    """Accrue one day of late interest for `as_of`; the number of entries written (0 on a
    replay). One statement per chunk of `chunk` candidate debts, each in its own transaction
    (a savepoint inside the daily cycle's)."""
    if chunk < 1:
        raise ValueError("chunk must be positive")
    creditors = sorted(set(creditor_ids)) if creditor_ids is not None else None
    starts = _chunk_starts(as_of=as_of, creditor_ids=creditors, chunk=chunk)
    if not starts:
        return 0
    sql = _accrual_sql(as_of).replace(
        "{creditor_filter}",
        "AND d.creditor_id = ANY(%(creditors)s)" if creditors is not None else "",
    )
    bounds = list(zip(starts, [*starts[1:], MAX_ID], strict=True))
    written = 0
    for lo, hi in bounds:
        params = {"as_of": as_of, "lo": lo, "hi": hi, "creditors": creditors}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            written += cursor.rowcount
    if written >= ANALYZE_AFTER:
        # A day's entries change what the planner must know of the table: with statistics from
        # before them (say, taken while it was empty) the next day's "already accrued?" check
        # was planned as a scan of the whole table per debt, minutes per chunk at 1M debts.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {LedgerEntry._meta.db_table}")
    return written
