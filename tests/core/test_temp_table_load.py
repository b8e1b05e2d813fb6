"""Temp tables loaded with COPY from Arrow arrays (what goes in is what comes out) or selected
by a query that PostgreSQL may run with parallel workers."""

import datetime

import pyarrow as pa
import pytest
from django.db import connection

from core.bulk import temp_table_load_arrow, temp_table_select

pytestmark = pytest.mark.django_db

COLUMNS = [("n", "bigint"), ("label", "varchar(20)"), ("at", "timestamptz"), ("note", "text")]


def rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, label, at, note FROM t_arrow ORDER BY n NULLS LAST")
        return cursor.fetchall()


def test_nulls_empty_strings_quotes_and_instants_arrive_as_they_were():
    at = datetime.datetime(2026, 6, 1, 13, 0, 0, 123456, tzinfo=datetime.UTC)
    micros = (at - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)) // datetime.timedelta(
        microseconds=1
    )
    count = temp_table_load_arrow(
        name="t_arrow",
        columns=COLUMNS,
        arrays={
            "n": pa.array([1, 2, None], pa.int64()),
            "label": pa.array(["", None, 'say "hi", then\nleave'], pa.string()),
            "at": pa.array([micros, None, micros + 1], pa.int64()).cast(
                pa.timestamp("us", tz="UTC")
            ),
            "note": pa.array(["ñandú", "=1+2", ""], pa.string()),
        },
    )
    assert count == 3
    assert rows() == [
        (1, "", at, "ñandú"),
        (2, None, None, "=1+2"),
        (None, 'say "hi", then\nleave', at + datetime.timedelta(microseconds=1), ""),
    ]


def test_no_rows_leave_an_empty_table():
    assert (
        temp_table_load_arrow(
            name="t_arrow",
            columns=COLUMNS,
            arrays={c: pa.array([], pa.string()) for c, _ in COLUMNS},
        )
        == 0
    )
    assert rows() == []


def test_a_selected_table_has_the_query_types_under_the_given_names_and_replaces_the_last():
    day = datetime.date(2026, 6, 1)
    sql = "SELECT g, %s::date, NULL::bigint FROM generate_series(1, %s) g"
    with connection.cursor() as cursor:
        temp_table_select(
            cursor, name="t_sel", columns=("n", "day", "none"), sql=sql, params=[day, 3]
        )
        temp_table_select(
            cursor, name="t_sel", columns=("n", "day", "none"), sql=sql, params=[day, 2]
        )
        cursor.execute("SELECT n, day, none FROM t_sel ORDER BY n")
        assert cursor.fetchall() == [(1, day, None), (2, day, None)]
        cursor.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = 't_sel'::regclass AND attnum > 0 ORDER BY attnum"
        )
        assert [row[0] for row in cursor.fetchall()] == ["integer", "date", "bigint"]


def test_the_selecting_query_may_run_in_parallel_where_an_insert_select_may_not():
    # Why temp_table_select exists: with every parallel-safe plan forced under a Gather, the
    # query of CREATE TABLE ... AS gets one and the same query inside an INSERT does not.
    query = "SELECT id FROM portfolio_debt WHERE balance > 0"
    # PostgreSQL 16 renamed force_parallel_mode.
    forced = "debug_parallel_query" if connection.pg_version >= 160000 else "force_parallel_mode"
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {forced} = on")
        cursor.execute("CREATE TEMP TABLE t_ids (id bigint)")
        cursor.execute(f"EXPLAIN CREATE TEMP TABLE t_sel (id) AS {query}")
        selected = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN INSERT INTO t_ids {query}")
        inserted = "\n".join(row[0] for row in cursor.fetchall())
    assert "Gather" in selected
    assert "Gather" not in inserted


def test_a_copy_that_breaks_a_key_raises_djangos_integrity_error():
    from django.db import IntegrityError, transaction

    from core.bulk import copy_arrow

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE t_keyed (n bigint PRIMARY KEY, label text)")
        assert copy_arrow(cursor, "t_keyed", {"n": [1, 2], "label": ["a", None]}) == 2
        with pytest.raises(IntegrityError), transaction.atomic():
            copy_arrow(cursor, "t_keyed", {"n": pa.array([3, 1]), "label": ["b", "c"]})
        cursor.execute("SELECT n, label FROM t_keyed ORDER BY n")
        assert cursor.fetchall() == [(1, "a"), (2, None)]


def test_a_writer_that_fails_half_way_fails_the_copy(monkeypatch):
    import pyarrow.csv as pa_csv

    from core.bulk import copy_arrow

    real = pa_csv.write_csv

    def half(table, sink, options):
        real(table.slice(0, 1), sink, options)
        raise OSError("disk full")

    monkeypatch.setattr(pa_csv, "write_csv", half)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE t_half (n bigint, label text)")
        with pytest.raises(RuntimeError, match="t_half"):
            copy_arrow(cursor, "t_half", {"n": [1, 2], "label": ["", None]}, not_null=["label"])


def test_a_query_read_through_arrow_keeps_codes_of_digits_as_text_where_asked():
    from core.bulk import arrow_frame

    sql = "SELECT * FROM (VALUES (1, '2024', '', NULL), (2, '11', 'x', 'y')) v(n, code, a, b)"
    frame = arrow_frame(sql, [], ["n", "code", "a", "b"], text=("code", "a", "b"))
    assert frame["n"].tolist() == [1, 2]
    assert frame["code"].tolist() == ["2024", "11"]
    # '' stays '', NULL is missing
    assert frame["a"].tolist() == ["", "x"]
    assert frame["b"].isna().tolist() == [True, False]
    # Left to inference, the digits would be a number.
    assert arrow_frame(sql, [], ["n", "code", "a", "b"])["code"].tolist() == [2024, 11]


def test_labels_read_through_arrow_are_python_strings_one_per_distinct_value():
    from core.bulk import arrow_frame

    # Enough rows for Arrow to read them in several blocks, each with a dictionary of its own.
    sql = """
        SELECT n, (ARRAY['sms', 'email', '', NULL])[1 + n %% 4], n * 2,
               (ARRAY['07', 'x'])[1 + n %% 2]
          FROM generate_series(0, 199999) n
    """
    frame = arrow_frame(sql, [], ["n", "channel", "double", "code"], labels=("code", "channel"))
    # in their places, each column of the kind it was
    assert frame.columns.tolist() == ["n", "channel", "double", "code"]
    assert [str(kind) for kind in frame.dtypes] == ["int64", "object", "int64", "object"]
    assert frame["double"].tolist()[:3] == [0, 2, 4]
    # '' stays '', NULL is None, digits stay text, every row its own value
    assert frame["channel"].tolist()[:5] == ["sms", "email", "", None, "sms"]
    assert frame["code"].tolist()[-2:] == ["07", "x"]
    assert frame["channel"].value_counts(dropna=False).to_dict() == {
        "sms": 50000,
        "email": 50000,
        "": 50000,
        None: 50000,
    }
    # one string object per distinct value
    assert len({id(value) for value in frame["code"]}) == 2


def test_a_frame_loads_with_gaps_null_except_in_text_columns():
    import pandas as pd

    from core.bulk import temp_table_load_frame

    frame = pd.DataFrame(
        {
            "n": pd.array([1, None, 3], dtype="Int64"),
            "code": ["a", None, ""],
            "day": [datetime.date(2026, 6, 1), None, datetime.date(2026, 6, 3)],
            "share": [0.5, float("nan"), 2.0],
            "flag": [True, False, True],
        }
    )
    count = temp_table_load_frame(
        name="t_frame",
        columns=[
            ("n", "bigint"),
            ("code", "varchar(5)"),
            ("day", "date"),
            ("share", "double precision"),
            ("flag", "boolean"),
        ],
        frame=frame,
    )
    assert count == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, code, day, share, flag FROM t_frame ORDER BY n NULLS LAST")
        assert cursor.fetchall() == [
            (1, "a", datetime.date(2026, 6, 1), 0.5, True),
            (3, "", datetime.date(2026, 6, 3), 2.0, True),
            (None, "", None, None, False),
        ]
