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
