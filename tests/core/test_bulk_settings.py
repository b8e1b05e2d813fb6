"""A planner setting and column defaults for one bulk statement (core.bulk): in force for the
body only, put back as they were after it, and undone with it when it fails."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from core.bulk import column_defaults, local_setting

pytestmark = pytest.mark.django_db


def setting(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


def test_a_local_setting_holds_for_the_body_and_is_put_back_as_it_was():
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_hashagg = off")
            cursor.execute("SET LOCAL enable_sort = on")
        # a setting the transaction had set itself comes back as it had it
        with local_setting("enable_sort", "off"):
            assert setting("enable_sort") == "off"
        assert setting("enable_sort") == "on"
        with local_setting("enable_hashagg", "on"):
            assert setting("enable_hashagg") == "on"
        assert setting("enable_hashagg") == "off"


def test_a_failing_body_leaves_the_setting_as_it_was():
    before = setting("enable_hashagg")
    with transaction.atomic():
        with pytest.raises(DatabaseError), local_setting("enable_hashagg", "off"):
            assert setting("enable_hashagg") == "off"
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")
        # (the transaction goes on: the setting's savepoint was rolled back)
        assert setting("enable_hashagg") == before


@pytest.fixture
def table():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE t_rows (id bigint, made timestamptz, day date,"
            " note text DEFAULT 'own', n int)"
        )
    return "t_rows"


def defaults(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a"
            " JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            " WHERE a.attrelid = %s::regclass",
            [table],
        )
        return dict(cursor.fetchall())


def test_rows_written_without_the_columns_take_the_values_and_the_defaults_come_back(table):
    made = datetime.datetime(2026, 6, 1, 13, 5, 7, 123456, tzinfo=datetime.UTC)
    day = datetime.date(2026, 6, 1)
    with connection.cursor() as cursor:
        with column_defaults(cursor, table, {"made": made, "day": day, "note": "", "n": 0}):
            cursor.execute(f"INSERT INTO {table} (id) VALUES (1), (2)")
        cursor.execute(f"INSERT INTO {table} (id) VALUES (3)")
        cursor.execute(f"SELECT id, made, day, note, n FROM {table} ORDER BY id")
        rows = cursor.fetchall()
    assert rows == [(1, made, day, "", 0), (2, made, day, "", 0), (3, None, None, "own", None)]
    # the column with a default of its own has it back; the others have none again
    assert defaults(table) == {"note": "'own'::text"}


def test_a_failing_write_leaves_the_columns_defaults_as_they_were(table):
    with transaction.atomic():
        with (
            pytest.raises(DatabaseError),
            transaction.atomic(),
            connection.cursor() as cursor,
            column_defaults(cursor, table, {"n": 7, "note": ""}),
        ):
            cursor.execute(f"INSERT INTO {table} (id) VALUES (1)")
            cursor.execute("SELECT 1 / 0")
        assert defaults(table) == {"note": "'own'::text"}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone()[0] == 0


def test_the_cycle_collector_is_paused_for_the_body_and_back_as_it_was():
    import gc

    from core.bulk import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: still paused, and not turned on by the inner one
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left off, as it was
    finally:
        gc.enable()


def test_message_planning_runs_with_the_collector_paused(monkeypatch):
    import gc

    from messaging.services import planning

    seen = []
    monkeypatch.setattr(
        planning, "_messages_plan", lambda **kwargs: seen.append(gc.isenabled()) or "planned"
    )
    assert planning.messages_plan(business_date=datetime.date(2026, 6, 1)) == "planned"
    assert seen == [False] and gc.isenabled()
