"""Set-based helpers for batch jobs: load many rows into a temporary table in one go (`COPY`,
the fastest way into PostgreSQL), for the UPDATE ... FROM / INSERT ... SELECT that follow.
"""

import csv
import io
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager

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
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in rows:
            writer.writerow(["\\N" if value is None else value for value in row])
            count += 1
        buffer.seek(0)
        cursor.cursor.copy_expert(
            f"COPY {name} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )
    return count


def temp_table_load_arrow(*, name: str, columns: Sequence[tuple[str, str]], arrays: dict) -> int:
    """`temp_table_load` for Arrow arrays {column: array}, one per column of `columns`:
    written as CSV by Arrow's C++ writer (no Python object per value). A null is NULL; an
    empty string stays an empty string (Arrow quotes it)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    column_sql = ", ".join(f"{col} {sql_type}" for col, sql_type in columns)
    names = [col for col, _ in columns]
    # pyarrow's CSV writer emits a block of NUL bytes for an empty chunk (a column concatenated
    # from an empty part), which COPY rejects as invalid UTF-8: one contiguous chunk per
    # column leaves it nothing empty to write.
    table = pa.table({col: arrays[col] for col in names}).combine_chunks()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMP TABLE {name} ({column_sql})")
        if not table.num_rows:
            return 0
        buffer = io.BytesIO()
        pa_csv.write_csv(
            table, buffer, pa_csv.WriteOptions(include_header=False, quoting_style="needed")
        )
        buffer.seek(0)
        cursor.cursor.copy_expert(
            f"COPY {name} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)", buffer
        )
    return table.num_rows


def temp_table_select(cursor, *, name: str, columns: Sequence[str], sql: str, params=()) -> None:
    """Create (or replace) TEMP table `name` (columns named `columns`) from the query `sql`.

    PostgreSQL never gives a data-modifying statement's query parallel workers (an
    INSERT ... SELECT, or a SELECT whose WITH holds an INSERT), but CREATE TABLE ... AS may
    have them. A read of every open debt that writes a few rows (a day's notices) is
    therefore selected here, then inserted from `name`: the bureau notices' query over a
    million debts ran in 1.1-1.3 s this way on 2 cores against 1.9-2.6 s as one
    INSERT ... SELECT (EXPLAIN ANALYZE, #17). Give typed expressions (`%s::date`,
    `NULL::bigint`): an untyped literal becomes a text column.
    """
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({', '.join(columns)}) AS {sql}", params)


def temp_table_load_frame(*, name: str, columns: Sequence[tuple[str, str]], frame) -> int:
    """`temp_table_load` for a pandas DataFrame holding those columns. A missing value is NULL
    in a column of another type, '' in a text column (text columns are never NULL here)."""
    column_sql = ", ".join(f"{col} {sql_type}" for col, sql_type in columns)
    names = [col for col, _ in columns]
    text = [col for col, sql_type in columns if sql_type.startswith(("varchar", "text"))]
    force = f", FORCE_NOT_NULL ({', '.join(text)})" if text else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMP TABLE {name} ({column_sql})")
        buffer = io.StringIO()
        frame[names].to_csv(buffer, header=False, index=False, na_rep="", lineterminator="\n")
        buffer.seek(0)
        cursor.cursor.copy_expert(
            f"COPY {name} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv{force})", buffer
        )
        cursor.execute(f"ANALYZE {name}")
    return len(frame)


def frame_copy(sql: str, params: Sequence = (), *, columns: Sequence[str], dtype=None):
    """The rows of a SELECT as a pandas DataFrame, read through `COPY ... TO STDOUT` (several
    times faster than fetching tuples). Text columns keep '' for empty and NULL alike."""
    import pandas as pd

    with connection.cursor() as cursor:
        query = cursor.cursor.mogrify(sql, list(params)).decode()
        buffer = io.StringIO()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer)
    buffer.seek(0)
    if not buffer.getvalue():
        return pd.DataFrame({name: pd.Series(dtype=(dtype or {}).get(name, object))
                             for name in columns})  # fmt: skip
    return pd.read_csv(
        buffer,
        names=list(columns),
        header=None,
        dtype=dtype,
        keep_default_na=False,
        na_values=[],
    )


def temp_table_drop(*, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def days_between_sql(*, later: str, earlier: str) -> str:
    """SQL for the whole days from date expression `earlier` to `later`."""
    return f"({later}::date - {earlier}::date)"


def batch_planner_tune(cursor) -> None:
    """Planner settings for a batch job's transaction (the daily cycle, the nightly job, a
    big load), for the current transaction only."""
    # Hash joins over a million staged rows spill to disk with the default 4 MB.
    cursor.execute("SET LOCAL work_mem = '128MB'")
    # Set-based statements over a million rows have costs far above jit_above_cost, so
    # PostgreSQL compiles each with LLVM (inlining and optimisation included, in every parallel
    # worker): at 1M debts that took 1.6 s for a notice query that runs in 0.5 s, on every
    # such statement of the night (#17).
    cursor.execute("SET LOCAL jit = off")


def bulk_session_tune(cursor) -> None:
    """Session settings for one big set-based write, for the current transaction only."""
    batch_planner_tune(cursor)
    # The batch row is committed synchronously right after, which flushes this too.
    cursor.execute("SET LOCAL synchronous_commit = off")
    # Checked per statement while its rows are still in cache, rather than all at COMMIT
    # (Django's foreign keys are DEFERRABLE INITIALLY DEFERRED).
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def phase_timer() -> tuple[dict[str, float], Callable]:
    """A dict of seconds per named phase and the context manager that fills it.

    Batch jobs time their phases with it; benchmarks and DEBUG logs print the dict.
    """
    seconds: dict[str, float] = {}

    @contextmanager
    def phase(name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started

    return seconds, phase


def tables_analyze_after_bulk(written: dict[str, int], *, minimum: int = 1000) -> list[str]:
    """ANALYZE each table a bulk step changed a good part of: `{table: rows written}`, when the
    rows reach a tenth of what the planner last counted (or it never counted the table).

    Autovacuum would get there minutes later; the statements that follow a night's cycle or a
    first load (dispatch's claim, the send-time checks, the work queue) would be planned in the
    meantime from statistics that predate the million rows just written (seen in #17: the claim
    sorting 126k rows and the send checks hashing the whole debt table). Allowed inside a
    transaction, whose own new rows ANALYZE counts. Returns the tables analyzed."""
    analyzed = []
    with connection.cursor() as cursor:
        for table, rows in written.items():
            if rows < minimum:
                continue
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            (counted,) = cursor.fetchone()
            if counted < 0 or rows >= counted / 10:
                cursor.execute(f"ANALYZE {table}")
                analyzed.append(table)
    return analyzed
