"""Temp tables loaded with COPY from Arrow arrays: what goes in is what comes out."""

import datetime

import pyarrow as pa
import pytest
from django.db import connection

from core.bulk import temp_table_load_arrow

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
