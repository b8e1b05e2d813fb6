"""A creditor's first load, written like a restore: no per-row history, checks or index upkeep.

A first load only creates rows: the stored, hashed file and its batch are its audit, so it
writes no history row per row (later imports that change rows still do). The rest is what
`pg_restore` does for a big load, each step only where it is safe:

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
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction

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


def indexes_defer(cursor) -> list[str]:
    """On empty tables, drop secondary indexes and unique constraints; return how to rebuild.

    Returns no statements (and drops nothing) unless every table is empty and could be
    locked at once: a table in use is left to ordinary index upkeep.
    """
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            cursor.execute(f"LOCK TABLE {', '.join(TABLES)} IN ACCESS EXCLUSIVE MODE")
    except DatabaseError:
        logger.info("portfolio import: tables busy, indexes kept during the load")
        return []
    finally:
        cursor.execute("SET LOCAL lock_timeout = DEFAULT")
    cursor.execute(
        " AND ".join(f"NOT EXISTS (SELECT 1 FROM {table})" for table in TABLES).join(
            ("SELECT ", "")
        )
    )
    if not cursor.fetchone()[0]:
        return []
    drop, rebuild = [], []
    for table in TABLES:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'u' ORDER BY conname",
            [table],
        )
        for name, definition in cursor.fetchall():
            drop.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid"
            "  AND c.conrelid = x.indrelid)"
            " ORDER BY i.relname",
            [table],
        )
        for name, definition in cursor.fetchall():
            drop.append(f'DROP INDEX "{name}"')
            rebuild.append(definition)
    for statement in drop:
        cursor.execute(statement)
    return rebuild


def indexes_rebuild(cursor, statements: list[str]) -> None:
    if not statements:
        return
    # One sort per index: give it room (for this transaction only).
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for statement in statements:
        cursor.execute(statement)


def tables_analyze(cursor) -> None:
    """Statistics for the tables a first load filled: the next queries plan on real numbers."""
    for table in TABLES:
        cursor.execute(f"ANALYZE {table}")
