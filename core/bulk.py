"""Set-based helpers for batch jobs: load many rows into a temporary table in one go.

PostgreSQL gets `COPY` (the fastest way in); SQLite, used by the zero-configuration demo, gets
`executemany`. The SQL that follows (UPDATE ... FROM, INSERT ... SELECT) is the same on both.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.db import connection


def temp_table_load(
    *, name: str, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence]
) -> int:
    """Create (or replace) TEMP table `name` with `columns` [(name, SQL type)] and fill it."""
    column_sql = ", ".join(f"{col} {sql_type}" for col, sql_type in columns)
    names = ", ".join(col for col, _ in columns)
    count = 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMP TABLE {name} ({column_sql})")
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            for row in rows:
                writer.writerow(["\\N" if value is None else value for value in row])
                count += 1
            buffer.seek(0)
            cursor.cursor.copy_expert(
                f"COPY {name} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
            )
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            insert = f"INSERT INTO {name} ({names}) VALUES ({placeholders})"
            batch: list[Sequence] = []
            for row in rows:
                batch.append(tuple(row))
                if len(batch) >= 10_000:
                    cursor.executemany(insert, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(insert, batch)
                count += len(batch)
    return count


def temp_table_drop(*, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def days_between_sql(*, later: str, earlier: str) -> str:
    """SQL for the whole days from date expression `earlier` to `later`, on this database."""
    if connection.vendor == "postgresql":
        return f"({later}::date - {earlier}::date)"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
