"""The write path: each table written by one statement that also writes its history.

`writing.py` stages the file; this does the writes, with as little work for the server as it can:

- history rows and consent events come from the `RETURNING` rows of the write itself (a
  data-modifying CTE) instead of re-reading the target tables by `updated_at`;
- staged debtor refs are resolved to ids once (`stg_import_debtor_id`), and a debtor created
  by this import has no contact points yet, so its rows skip the existence and primary probes;
- inserts are plain `INSERT`s: `ON CONFLICT` (speculative insertion, an extra WAL record per
  row) costs about 40% more. The creditor lock keeps other debtor and debt writers out (their
  foreign-key check needs a KEY SHARE lock on the creditor row), but a contact point of an
  existing debtor may still be added meanwhile by another writer: each insert runs in a
  savepoint and, on a unique violation, is repeated in the guarded `ON CONFLICT DO NOTHING` form.
"""

from django.db import IntegrityError, transaction

from imports.services.portfolio_file.writing import DEBTOR_FIELDS, WriteCounts
from ledger.models import EntryKind, LedgerEntry
from portfolio.models import ConsentEvent, ContactPoint, Debt, Debtor

UNIQUE_VIOLATION = "23505"


def _history(model, source: str) -> str:
    """INSERT ... SELECT of simple-history rows for the rows in CTE `source`."""
    columns = [f.column for f in model._meta.concrete_fields]
    return (
        f"INSERT INTO {model.history.model._meta.db_table} ({', '.join(columns)}, history_date,"
        f" history_change_reason, history_type, history_user_id)"
        f" SELECT {', '.join(f'r.{c}' for c in columns)}, %(ts)s, %(reason)s,"
        f" CASE WHEN r.created_at = %(ts)s THEN '+' ELSE '~' END, %(user)s FROM {source} r"
    )


def _count(cursor, build) -> tuple[int, bool]:
    """Run `build(guarded=False)`; on a concurrent duplicate key, the guarded form instead."""
    try:
        with transaction.atomic():
            cursor.execute(*build(guarded=False))
            return cursor.fetchone()[0], False
    except IntegrityError as exc:
        if getattr(exc.__cause__, "pgcode", None) != UNIQUE_VIOLATION:
            raise
    cursor.execute(*build(guarded=True))
    return cursor.fetchone()[0], True


def write_debtors(cursor, params, counts: WriteCounts) -> None:
    """Update changed and insert new debtors, with history; map every staged ref to its id."""
    fields = DEBTOR_FIELDS
    cursor.execute("DROP TABLE IF EXISTS stg_import_debtor_id")
    cursor.execute(
        "CREATE TEMP TABLE stg_import_debtor_id AS SELECT s.debtor_ref, d.id, false AS is_new"
        " FROM stg_import_debtor s JOIN portfolio_debtor d"
        " ON d.creditor_id = %(creditor)s AND d.debtor_ref = s.debtor_ref",
        params,
    )
    existing = cursor.rowcount
    if existing:
        changed = " OR ".join(f"d.{f} IS DISTINCT FROM s.{f}" for f in fields)
        assignments = ", ".join(f"{f} = s.{f}" for f in fields)
        cursor.execute(
            f"WITH upd AS (UPDATE portfolio_debtor AS d SET {assignments}, updated_at = %(ts)s"
            f"  FROM stg_import_debtor s WHERE d.creditor_id = %(creditor)s"
            f"  AND d.debtor_ref = s.debtor_ref AND ({changed}) RETURNING d.*),"
            f" h AS ({_history(Debtor, 'upd')})"
            f" SELECT count(*) FROM upd",
            params,
        )
        counts.debtors_updated = cursor.fetchone()[0]

    def build(*, guarded: bool):
        guard = (
            " WHERE NOT EXISTS (SELECT 1 FROM portfolio_debtor d"
            "  WHERE d.creditor_id = %(creditor)s AND d.debtor_ref = s.debtor_ref)"
            " ON CONFLICT (creditor_id, debtor_ref) DO NOTHING"
            if guarded
            else " WHERE NOT EXISTS (SELECT 1 FROM stg_import_debtor_id m"
            "  WHERE m.debtor_ref = s.debtor_ref)"
        )
        return (
            f"WITH ins AS (INSERT INTO portfolio_debtor (created_at, updated_at, creditor_id,"
            f"  debtor_ref, {', '.join(fields)})"
            f"  SELECT %(ts)s, %(ts)s, %(creditor)s, s.debtor_ref,"
            f"  {', '.join('s.' + f for f in fields)} FROM stg_import_debtor s{guard}"
            f"  RETURNING *),"
            f" h AS ({_history(Debtor, 'ins')}),"
            f" m AS (INSERT INTO stg_import_debtor_id SELECT debtor_ref, id, true FROM ins)"
            f" SELECT count(*) FROM ins",
            params,
        )

    counts.debtors_created, retried = _count(cursor, build)
    if retried:
        # Debtors another writer added meanwhile are in the map neither as old nor as new.
        cursor.execute(
            "INSERT INTO stg_import_debtor_id SELECT s.debtor_ref, d.id, false"
            " FROM stg_import_debtor s JOIN portfolio_debtor d"
            " ON d.creditor_id = %(creditor)s AND d.debtor_ref = s.debtor_ref"
            " WHERE NOT EXISTS (SELECT 1 FROM stg_import_debtor_id m"
            "  WHERE m.debtor_ref = s.debtor_ref)",
            params,
        )
    cursor.execute("ANALYZE stg_import_debtor_id")


def _consent_events(source: str, where: str = "") -> str:
    return (
        f"INSERT INTO {ConsentEvent._meta.db_table}"
        f" (contact_point_id, granted, occurred_at, source, actor_id, note)"
        f" SELECT r.id, r.consent_granted, r.consent_changed_at, 'import', %(user)s, %(note)s"
        f" FROM {source} r{where}"
    )


def write_contacts(cursor, params, counts: WriteCounts) -> None:
    """Apply the file's consents and add new contact points, with history and consent events."""
    cursor.execute("SELECT EXISTS (SELECT 1 FROM stg_import_debtor_id WHERE NOT is_new)")
    existing_debtors = cursor.fetchone()[0]
    staged = (
        "SELECT m.id AS debtor_id, m.is_new, s.channel, s.value,"
        " CAST(s.consent AS boolean) AS consent, CAST(s.is_primary AS boolean) AS is_primary"
        " FROM stg_import_contact s JOIN stg_import_debtor_id m ON m.debtor_ref = s.debtor_ref"
    )
    if existing_debtors:
        # The debtor's or a collector's own choice wins over whatever the file says.
        cursor.execute(
            f"WITH upd AS (UPDATE portfolio_contactpoint AS cp SET consent_granted = x.consent,"
            f"  consent_changed_at = %(ts)s, consent_source = 'import', updated_at = %(ts)s"
            f"  FROM ({staged} WHERE NOT m.is_new) x"
            f"  WHERE cp.debtor_id = x.debtor_id AND cp.channel = x.channel"
            f"  AND cp.value = x.value AND cp.consent_source IN ('import', '')"
            f"  AND cp.consent_granted IS DISTINCT FROM x.consent RETURNING cp.*),"
            f" h AS ({_history(ContactPoint, 'upd')}),"
            f" e AS ({_consent_events('upd')})"
            f" SELECT count(*) FROM upd",
            params,
        )
        counts.consents_changed = cursor.fetchone()[0]

    def build(*, guarded: bool):
        columns = (
            "created_at, updated_at, debtor_id, channel, value, is_primary, verified,"
            " consent_granted, consent_changed_at, consent_source"
        )
        # "No consent" on a new number is just the default, not an event.
        consent = "x.consent, CASE WHEN x.consent THEN %(ts)s::timestamptz END, 'import'"
        # A new number only becomes primary when the debtor has no primary on that channel
        # yet, and only a number the debtor does not have yet is new.
        checked = (
            f"SELECT %(ts)s, %(ts)s, x.debtor_id, x.channel, x.value,"
            f" x.is_primary AND NOT EXISTS (SELECT 1 FROM portfolio_contactpoint c"
            f"  WHERE c.debtor_id = x.debtor_id AND c.channel = x.channel AND c.is_primary),"
            f" false, {consent} FROM ({staged}) x"
            f" WHERE NOT EXISTS (SELECT 1 FROM portfolio_contactpoint c"
            f"  WHERE c.debtor_id = x.debtor_id AND c.channel = x.channel AND c.value = x.value)"
        )
        if guarded:
            source = f"{checked} ON CONFLICT (debtor_id, channel, value) DO NOTHING"
        else:
            # A debtor created by this import has no contact points to collide with or defer to.
            source = (
                f"SELECT %(ts)s, %(ts)s, x.debtor_id, x.channel, x.value, x.is_primary, false,"
                f" {consent} FROM ({staged}) x WHERE x.is_new"
            )
            if existing_debtors:
                source += f" UNION ALL {checked} AND NOT x.is_new"
        return (
            f"WITH ins AS (INSERT INTO portfolio_contactpoint ({columns}) {source} RETURNING *),"
            f" h AS ({_history(ContactPoint, 'ins')}),"
            f" e AS ({_consent_events('ins', ' WHERE r.consent_changed_at = %(ts)s')})"
            f" SELECT count(*) FROM ins",
            params,
        )

    counts.contact_points_created = _count(cursor, build)[0]


def write_debts(cursor, params, counts: WriteCounts) -> None:
    """Update changed and insert new debts, with history."""
    values = {
        "product": "s.product",
        "currency": "s.currency",
        "original_amount": "CAST(s.original_amount AS numeric)",
        "principal": "CAST(s.principal AS numeric)",
        "interest": "CAST(s.interest AS numeric)",
        "fees": "CAST(s.fees AS numeric)",
        "due_date": "CAST(NULLIF(s.due_date, '') AS date)",
        "opened_date": "CAST(NULLIF(s.opened_date, '') AS date)",
        "contract_rate": "CAST(NULLIF(s.late_interest_rate, '') AS numeric)",
    }
    staged = (
        f"SELECT s.debt_ref, m.id AS debtor_id,"
        f" {', '.join(f'{expr} AS {name}' for name, expr in values.items())}"
        f" FROM stg_import_debt s JOIN stg_import_debtor_id m ON m.debtor_ref = s.debtor_ref"
    )
    names = ["debtor_id", *values]
    balance = "ROUND(x.principal + x.interest + x.fees, 2)"
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM portfolio_debt WHERE creditor_id = %(creditor)s)", params
    )
    has_debts = cursor.fetchone()[0]
    if has_debts:
        changed = " OR ".join(f"t.{n} IS DISTINCT FROM x.{n}" for n in names)
        assignments = ", ".join(f"{n} = x.{n}" for n in names)
        # Existing debts keep their portfolio and stage; only the figures and dates move.
        # A file that restates a debt's principal, interest or fees changes the books: the
        # difference is posted as an adjustment entry, so the ledger still adds up to the debt
        # (interest accrued here and then overwritten by the creditor's figure shows as such).
        # `old` reads the rows as they were: every part of one statement sees one snapshot.
        entries = LedgerEntry._meta.db_table
        parts = ("principal", "interest", "fees")
        deltas = ", ".join(f"u.{p} - o.{p}" for p in parts)
        cursor.execute(
            f"WITH old AS (SELECT t.id, t.principal, t.interest, t.fees FROM portfolio_debt t"
            f"  JOIN ({staged}) x ON t.debt_ref = x.debt_ref"
            f"  WHERE t.creditor_id = %(creditor)s AND ({changed})),"
            f" upd AS (UPDATE portfolio_debt AS t SET {assignments}, balance = {balance},"
            f"  updated_at = %(ts)s FROM ({staged}) x"
            f"  WHERE t.creditor_id = %(creditor)s AND t.debt_ref = x.debt_ref AND ({changed})"
            f"  RETURNING t.*),"
            f" h AS ({_history(Debt, 'upd')}),"
            f" adj AS (INSERT INTO {entries} (debt_id, creditor_id, currency, kind, posted_on,"
            f"  created_at, principal, interest, fees, amount, stage, days_past_due, rate_capped,"
            f"  user_id, memo)"
            f"  SELECT u.id, u.creditor_id, u.currency, %(adjustment)s, %(today)s, %(ts)s,"
            f"  {deltas}, u.balance - (o.principal + o.interest + o.fees), u.stage,"
            f"  GREATEST(%(today)s - u.due_date, 0), false, %(user)s, %(note)s"
            f"  FROM upd u JOIN old o ON o.id = u.id"
            f"  WHERE (u.principal, u.interest, u.fees)"
            f"   IS DISTINCT FROM (o.principal, o.interest, o.fees))"
            f" SELECT count(*) FROM upd",
            {**params, "adjustment": EntryKind.ADJUSTMENT.value},
        )
        counts.debts_updated = cursor.fetchone()[0]
    # The ladder's cadence counts from the business date a debt entered its stage.
    extra_column, extra_value = "", ""
    if any(f.name == "stage_entered_on" for f in Debt._meta.concrete_fields):
        extra_column, extra_value = ", stage_entered_on", ", %(today)s"

    def build(*, guarded: bool):
        guard = ""
        if guarded or has_debts:
            guard = (
                " WHERE NOT EXISTS (SELECT 1 FROM portfolio_debt t"
                "  WHERE t.creditor_id = %(creditor)s AND t.debt_ref = x.debt_ref)"
            )
        if guarded:
            guard += " ON CONFLICT (creditor_id, debt_ref) DO NOTHING"
        return (
            f"WITH ins AS (INSERT INTO portfolio_debt (created_at, updated_at, creditor_id,"
            f"  portfolio_id, debt_ref, {', '.join(names)}, balance, stage,"
            f"  stage_entered_at{extra_column})"
            f"  SELECT %(ts)s, %(ts)s, %(creditor)s, %(portfolio)s, x.debt_ref,"
            f"  {', '.join('x.' + n for n in names)}, {balance}, 'current', %(ts)s{extra_value}"
            f"  FROM ({staged}) x{guard} RETURNING *),"
            f" h AS ({_history(Debt, 'ins')})"
            f" SELECT count(*) FROM ins",
            params,
        )

    counts.debts_created = _count(cursor, build)[0]
