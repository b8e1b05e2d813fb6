"""Indexes built after a bulk write into empty tables (core.bulk): which are dropped, that
they come back exactly as they were, and that a failed rebuild undoes the drops too."""

import pytest
from django.db import IntegrityError, connection, transaction

from core.bulk import indexes_defer, indexes_rebuild, tables_lock_empty
from tests.table_schema import table_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def tables():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE t_parent (id bigint PRIMARY KEY, code text UNIQUE, kind int)"
        )
        cursor.execute("CREATE INDEX t_parent_kind ON t_parent (kind)")
        cursor.execute("CREATE TEMP TABLE t_child (id bigint PRIMARY KEY REFERENCES t_parent)")
        cursor.execute("CREATE TEMP TABLE t_side (id bigint PRIMARY KEY, kind int)")
        cursor.execute("CREATE INDEX t_side_kind ON t_side (kind) WHERE kind > 0")
    return ["t_parent", "t_child", "t_side"]


def index_names(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {name for (name,) in cursor.fetchall()}


def test_everything_dropped_comes_back_as_it_was_except_a_key_a_foreign_key_needs(tables):
    before = table_schema(tables)
    with connection.cursor() as cursor:
        assert tables_lock_empty(cursor, tables)
        rebuild = indexes_defer(cursor, tables, primary_keys=True)
        # The parent's primary key stays: the child's foreign key points at it.
        assert index_names("t_parent") == {"t_parent_pkey"}
        assert index_names("t_child") == index_names("t_side") == set()
        # Two primary keys to build, each before the rest of its table's indexes.
        keys = [i for i, s in enumerate(rebuild) if "PRIMARY KEY" in s]
        assert len(keys) == 2
        side = [i for i, s in enumerate(rebuild) if "t_side" in s]
        assert side[0] in keys and len(side) == 2
        cursor.execute(
            "INSERT INTO t_parent SELECT g, 'c' || g, g % 3 FROM generate_series(1, 50) g"
        )
        cursor.execute("INSERT INTO t_side SELECT g, g % 3 FROM generate_series(1, 50) g")
        indexes_rebuild(cursor, rebuild)
    assert table_schema(tables) == before


def test_without_primary_keys_only_secondary_indexes_and_unique_constraints_go(tables):
    with connection.cursor() as cursor:
        assert tables_lock_empty(cursor, tables)
        rebuild = indexes_defer(cursor, tables)
    assert index_names("t_parent") == {"t_parent_pkey"}
    assert index_names("t_side") == {"t_side_pkey"}
    assert len(rebuild) == 3  # the unique code, the parent's kind, the side's partial kind


def test_one_row_in_any_of_the_tables_is_enough_to_say_no(tables):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO t_side VALUES (1, 1)")
        assert not tables_lock_empty(cursor, tables)
        assert tables_lock_empty(cursor, ["t_parent", "t_child"])


def test_a_duplicate_key_fails_the_rebuild_and_its_savepoint_undoes_rows_and_drops(tables):
    before = table_schema(tables)
    with connection.cursor() as cursor:
        assert tables_lock_empty(cursor, tables)
        with pytest.raises(IntegrityError), transaction.atomic():
            rebuild = indexes_defer(cursor, ["t_side"], primary_keys=True)
            cursor.execute("INSERT INTO t_side VALUES (1, 1), (1, 2)")
            indexes_rebuild(cursor, rebuild)
        cursor.execute("SELECT count(*) FROM t_side")
        assert cursor.fetchone()[0] == 0
    assert table_schema(tables) == before


def test_foreign_keys_go_last_and_a_row_naming_no_parent_fails_their_check(tables):
    before = table_schema(tables)
    with connection.cursor() as cursor:
        assert tables_lock_empty(cursor, ["t_child"])
        rebuild = indexes_defer(cursor, ["t_child"], primary_keys=True, foreign_keys=True)
        assert table_schema(["t_child"]) == ([], [])
        # the key first, the foreign key last (checked over every row when added back)
        assert "PRIMARY KEY" in rebuild[0] and "FOREIGN KEY" in rebuild[-1]
        cursor.execute("INSERT INTO t_parent VALUES (1, 'a', 0)")
        cursor.execute("INSERT INTO t_child VALUES (1)")
        with pytest.raises(IntegrityError, match="t_parent"), transaction.atomic():
            cursor.execute("INSERT INTO t_child VALUES (2)")  # no parent 2
            indexes_rebuild(cursor, rebuild)
        indexes_rebuild(cursor, rebuild)
    assert table_schema(tables) == before


@pytest.mark.django_db(transaction=True)
def test_the_tables_foreign_keys_name_are_locked_against_writes_only_when_free():
    import threading

    from django.db import connections

    from core.bulk import references_lock
    from messaging.models import Message

    holding, release = threading.Event(), threading.Event()

    def writer_holds_the_creditors():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("LOCK TABLE portfolio_creditor IN ROW EXCLUSIVE MODE")
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    def modes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                " WHERE l.pid = pg_backend_pid() AND l.mode = 'ShareRowExclusiveLock'"
            )
            return dict(cursor.fetchall())

    outbox = [Message._meta.db_table]
    writer = threading.Thread(target=writer_holds_the_creditors)
    writer.start()
    try:
        assert holding.wait(10)
        # While another transaction writes creditors: nothing is locked, and it says so
        with transaction.atomic(), connection.cursor() as cursor:
            assert not references_lock(cursor, outbox)
            assert modes() == {}
    finally:
        release.set()
        writer.join(30)
    # Once it is done: every table the outbox's foreign keys name, until the transaction ends
    with transaction.atomic(), connection.cursor() as cursor:
        assert references_lock(cursor, outbox)
        assert set(modes()) == {
            "auth_user",
            "portfolio_creditor",
            "portfolio_debtor",
            "messaging_messagetemplateversion",
        }


def test_reserved_ids_are_consecutive_and_drawn_by_no_one_after():
    from core.bulk import ids_reserve
    from tests.factories.portfolio import CreditorFactory

    before = CreditorFactory().pk
    with connection.cursor() as cursor:
        reserved = ids_reserve(cursor, "portfolio_creditor", 3)
        assert ids_reserve(cursor, "portfolio_creditor", 0).tolist() == []
    assert reserved.tolist() == [before + 1, before + 2, before + 3]
    assert CreditorFactory().pk == before + 4
