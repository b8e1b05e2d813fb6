"""A creditor's first load, written like a restore: no per-row history, checks or index upkeep.

A first load only creates rows, so nothing needs comparing: it is written straight into the
tables with one COPY per table (ids from the tables' own sequences, debtor ids looked up in
pandas), instead of staging tables and INSERT ... SELECT. The stored, hashed file and its
batch are its audit, so it writes no history row per created row (later imports that change
rows still do). The rest is what `pg_restore` does for a big load, each step only where safe:

- foreign keys: every id a new row points at is one this transaction inserted (debtors,
  contact points) or one row it has locked (the creditor, the portfolio, the importing user).
  The per-row trigger checks are switched off with `session_replication_role = replica` when
  the database role may set it (a superuser, or `GRANT SET ON PARAMETER session_replication_role`
  on PostgreSQL 15+); without it the checks run row by row as before.
- indexes: when the tables are empty (a new installation's first import), their secondary
  indexes and unique constraints are dropped and built again after the load (one sort each
  instead of a million random index insertions), all inside the import's transaction, so a
  failure leaves them as they were. Empty tables are locked for the duration; tables that hold
  anything are never touched.
- constant columns: on those locked, empty tables the values every new row shares (stamps,
  creditor, portfolio, stage, consent source...) become the columns' defaults for the load
  (put back as they were before commit), so COPY sends and parses only what varies from row
  to row, and ids are taken from each table's sequence in one block, so the debtor ids of
  contact points and debts, and the contact point ids of consent events, are known without
  reading anything back (the consent events are one COPY of those ids).
- statistics: the loaded tables are ANALYZEd before commit (`tables_analyze`), so the
  planner of the night's cycle sees a million rows, not the empty tables it last sampled.
"""

import io
import logging

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction

from core.bulk import copy_arrow
from portfolio.models import ConsentEvent, ContactPoint, Debt, Debtor, Portfolio

logger = logging.getLogger(__name__)

# The tables a portfolio import writes, in the order they are locked.
TABLES = tuple(model._meta.db_table for model in (Debtor, ContactPoint, ConsentEvent, Debt))
INSUFFICIENT_PRIVILEGE = "42501"


def bulk_first_load(cursor, *, creditor_id: int, rows: int) -> bool:
    """Whether this import is a creditor's first load big enough for the bulk path."""
    if rows < settings.CARTERA_IMPORT_BULK_MIN_ROWS:
        return False
    cursor.execute(
        f"SELECT NOT EXISTS (SELECT 1 FROM {Debtor._meta.db_table} WHERE creditor_id = %s)"
        f" AND NOT EXISTS (SELECT 1 FROM {Debt._meta.db_table} WHERE creditor_id = %s)",
        [creditor_id, creditor_id],
    )
    return cursor.fetchone()[0]


def foreign_key_triggers_off(cursor, params) -> bool:
    """Lock the rows new rows point at outside this load, then skip the per-row FK checks."""
    # What the per-row checks would have done for these: KEY SHARE locks, so none of them
    # can be deleted before we commit (the creditor row is already locked FOR UPDATE).
    portfolios, users = Portfolio._meta.db_table, get_user_model()._meta.db_table
    cursor.execute(f"SELECT 1 FROM {portfolios} WHERE id = %(portfolio)s FOR KEY SHARE", params)
    if cursor.fetchone() is None:
        return False
    if params["user"] is not None:
        cursor.execute(f"SELECT 1 FROM {users} WHERE id = %(user)s FOR KEY SHARE", params)
        if cursor.fetchone() is None:
            return False
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError as exc:
        if getattr(exc.__cause__, "pgcode", None) != INSUFFICIENT_PRIVILEGE:
            raise
        logger.info("portfolio import: may not set session_replication_role; FK checks per row")
        return False
    return True


def foreign_key_triggers_on(cursor) -> None:
    cursor.execute("SET LOCAL session_replication_role = origin")


def tables_analyze(cursor) -> None:
    """Fresh planner statistics for the loaded tables, in the load's own transaction.

    The tables were empty (or much smaller) when last sampled; without this the night's
    first cycle would plan its joins over a million rows for a handful, and autovacuum may
    be off or not get to them first. ANALYZE samples at most 300 x statistics target rows a
    table, so it costs about the same at 100k rows as at 10M.
    """
    for table in TABLES:
        cursor.execute(f"ANALYZE {table}")


def _debtor_ids(cursor, creditor_id: int) -> pd.Series:
    """The id of each debtor of the creditor, by debtor_ref (read back with one COPY)."""
    buffer = io.BytesIO()
    raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
    raw.copy_expert(
        f"COPY (SELECT debtor_ref, id FROM {Debtor._meta.db_table}"
        f" WHERE creditor_id = {int(creditor_id)}) TO STDOUT WITH (FORMAT csv)",
        buffer,
    )
    buffer.seek(0)
    table = pa_csv.read_csv(
        buffer,
        read_options=pa_csv.ReadOptions(column_names=["debtor_ref", "id"]),
        convert_options=pa_csv.ConvertOptions(
            column_types={"debtor_ref": pa.string(), "id": pa.int64()},
            strings_can_be_null=False,
        ),
    )
    return pd.Series(
        table.column("id").to_numpy(), index=pd.Index(table.column("debtor_ref").to_pandas())
    )


def _strings(series: pd.Series):
    """The column as Arrow strings (no copy when pandas already holds it in Arrow)."""
    return pa.array(series.array)


class _Load:
    """How the rows of one first load reach their tables.

    On tables this transaction locked empty (`fresh`), the values every new row of a table
    shares are the columns' defaults while it loads, and ids come from one block of each
    table's sequence; otherwise every column is sent and ids are read back.
    """

    def __init__(self, cursor, *, fresh: bool):
        self.cursor = cursor
        self.fresh = fresh
        # (table, column, the default to put back: SQL expression or None)
        self.restore: list[tuple[str, str, str | None]] = []

    def constants(self, table: str, values: dict, rows: int) -> dict:
        """The columns to COPY for `values` {column: value shared by every row}."""
        if not self.fresh:
            return {column: _repeat(value, rows) for column, value in values.items()}
        self.cursor.execute(
            "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a"
            " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            " WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)",
            [table, list(values)],
        )
        before = dict(self.cursor.fetchall())
        settings_sql = ", ".join(f"ALTER COLUMN {column} SET DEFAULT %s" for column in values)
        self.cursor.execute(f"ALTER TABLE {table} {settings_sql}", list(values.values()))
        kept = {(t, c) for t, c, _default in self.restore}  # set earlier in this load
        self.restore.extend(
            (table, column, before.get(column)) for column in values if (table, column) not in kept
        )
        return {}

    def ids(self, table: str, rows: int) -> np.ndarray | None:
        """Ids for `rows` new rows of `table`, reserved from its sequence (fresh tables only).

        Nothing else can insert into a table this transaction holds ACCESS EXCLUSIVE, so the
        block is ours; the sequence ends past it, as if each row had taken its own.
        """
        if not self.fresh or not rows:
            return None
        self.cursor.execute(
            "SELECT setval(s::regclass, nextval(s::regclass) + %s - 1)"
            " FROM pg_get_serial_sequence(%s, 'id') AS s",
            [rows, table],
        )
        last = self.cursor.fetchone()[0]
        return np.arange(last - rows + 1, last + 1, dtype=np.int64)

    def done(self) -> None:
        """Put the column defaults back as they were."""
        for table, column, default in self.restore:
            if default is None:
                self.cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
            else:
                self.cursor.execute(
                    f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {default}"
                )
        self.restore.clear()


def _repeat(value, count: int) -> pa.Array:
    if value is None:
        return pa.nulls(count, pa.string())
    if isinstance(value, bool):
        return pa.repeat(pa.scalar(value), count)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return pa.repeat(pa.scalar(text, pa.string()), count)


def write_first_load(cursor, params, *, debtors, contacts, debts, counts, fresh=False) -> None:
    """Write a first load straight into its tables with COPY: no staging, no INSERT ... SELECT.

    Every row is new, so nothing needs comparing: ids come from the tables' own sequences,
    the debtor ids of contact points and debts are looked up in pandas, and each table is
    filled by one COPY with the values the set-based INSERTs of the other path would write.
    `fresh`: the tables are empty and locked by this transaction (`tables_lock_empty`).
    """
    from imports.services.portfolio_file.writing import DEBTOR_FIELDS, phase

    load = _Load(cursor, fresh=fresh)
    stamp = params["ts"]

    # Debtors.
    table, n = Debtor._meta.db_table, len(debtors)
    columns = load.constants(
        table,
        {"created_at": stamp, "updated_at": stamp, "creditor_id": params["creditor"]},
        n,
    )
    with phase("copy: debtors"):
        debtor_ids = load.ids(table, n)
        if debtor_ids is not None:
            columns["id"] = pa.array(debtor_ids)
        columns["debtor_ref"] = _strings(debtors["debtor_ref"])
        columns.update({field: _strings(debtors[field]) for field in DEBTOR_FIELDS})
        copy_arrow(cursor, table, columns, not_null=("debtor_ref", *DEBTOR_FIELDS))
        if debtor_ids is None:
            ids = _debtor_ids(cursor, params["creditor"])
        else:
            ids = pd.Series(debtor_ids, index=pd.Index(debtors["debtor_ref"].array))
    counts.debtors_created = n

    # Contact points, and an event for each consent the file grants.
    table, n = ContactPoint._meta.db_table, len(contacts)
    if n:
        consent = pa.array((contacts["consent"] == "1").to_numpy())
        columns = load.constants(
            table,
            {
                "created_at": stamp,
                "updated_at": stamp,
                "verified": False,
                "consent_source": "import",
            },
            n,
        )
        with phase("copy: contact points"):
            contact_ids = load.ids(table, n)
            columns.update(
                {
                    "debtor_id": pa.array(ids.reindex(contacts["debtor_ref"].array).to_numpy()),
                    "channel": _strings(contacts["channel"]),
                    "value": _strings(contacts["value"]),
                    "is_primary": pa.array((contacts["is_primary"] == "1").to_numpy()),
                }
            )
            text = ("channel", "value", "consent_source")
            if contact_ids is None:
                columns["consent_granted"] = consent
                columns["consent_changed_at"] = pc.if_else(
                    consent, _repeat(stamp, n), _repeat(None, n)
                )
                copy_arrow(cursor, table, columns, not_null=text)
            else:
                # Granted and not granted in turn, the consent columns a default each time.
                columns["id"] = pa.array(contact_ids)
                whole = pa.table(columns)
                for granted in (True, False):
                    part = whole.filter(consent if granted else pc.invert(consent))
                    if not part.num_rows:
                        continue
                    load.constants(
                        table,
                        {
                            "consent_granted": granted,
                            "consent_changed_at": stamp if granted else None,
                        },
                        part.num_rows,
                    )
                    copy_arrow(
                        cursor,
                        table,
                        dict(zip(part.column_names, part.columns, strict=True)),
                        not_null=text,
                    )
        with phase("copy: consent events"):
            _consent_events(cursor, load, params, contact_ids, consent)
    counts.contact_points_created = n

    # Debts: the balance is the exact sum of its parts (decimal arithmetic in Arrow).
    table, n = Debt._meta.db_table, len(debts)
    columns = load.constants(
        table,
        {
            "created_at": stamp,
            "updated_at": stamp,
            "creditor_id": params["creditor"],
            "portfolio_id": params["portfolio"],
            "stage": "current",
            "stage_entered_at": stamp,
            "stage_entered_on": params["today"],
        },
        n,
    )
    with phase("copy: debts"):
        debt_ids = load.ids(table, n)
        if debt_ids is not None:
            columns["id"] = pa.array(debt_ids)
        money = {
            name: pc.cast(_strings(debts[name]), pa.decimal128(18, 2))
            for name in ("original_amount", "principal", "interest", "fees")
        }
        balance = pc.add(pc.add(money["principal"], money["interest"]), money["fees"])
        opened = _strings(debts["opened_date"])
        rate = _strings(debts["late_interest_rate"])
        columns.update(
            {
                "debt_ref": _strings(debts["debt_ref"]),
                "debtor_id": pa.array(ids.reindex(debts["debtor_ref"].array).to_numpy()),
                "product": _strings(debts["product"]),
                "currency": _strings(debts["currency"]),
                **{name: pc.cast(value, pa.string()) for name, value in money.items()},
                "balance": pc.cast(balance, pa.string()),
                "due_date": _strings(debts["due_date"]),
                "opened_date": pc.if_else(pc.equal(opened, ""), _repeat(None, n), opened),
                "contract_rate": pc.if_else(pc.equal(rate, ""), _repeat(None, n), rate),
            }
        )
        copy_arrow(cursor, table, columns, not_null=("debt_ref", "product", "currency", "stage"))
    counts.debts_created = n
    load.done()


def _consent_events(cursor, load: _Load, params, contact_ids, consent) -> None:
    """An event for each contact point whose consent the file grants."""
    table = ConsentEvent._meta.db_table
    if contact_ids is None:
        # Every contact point of this creditor's debtors is one this load wrote.
        cursor.execute(
            f"INSERT INTO {table}"
            f" (contact_point_id, granted, occurred_at, source, actor_id, note)"
            f" SELECT cp.id, true, %(ts)s, 'import', %(user)s, %(note)s"
            f" FROM {ContactPoint._meta.db_table} cp"
            f" JOIN {Debtor._meta.db_table} d ON d.id = cp.debtor_id"
            f" WHERE d.creditor_id = %(creditor)s AND cp.consent_granted",
            params,
        )
        return
    granted = contact_ids[consent.to_numpy(zero_copy_only=False)]
    if not len(granted):
        return
    load.constants(
        table,
        {
            "granted": True,
            "occurred_at": params["ts"],
            "source": "import",
            "actor_id": params["user"],
            "note": params["note"],
        },
        len(granted),
    )
    copy_arrow(
        cursor,
        table,
        {"id": pa.array(load.ids(table, len(granted))), "contact_point_id": pa.array(granted)},
    )
