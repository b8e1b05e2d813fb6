"""Set-based helpers for batch jobs: load many rows into a temporary table in one go (`COPY`,
the fastest way into PostgreSQL), for the UPDATE ... FROM / INSERT ... SELECT that follow.
"""

import contextlib
import csv
import gc
import io
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction


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


# Bytes COPY takes from the pipe at a time.
COPY_CHUNK = 1024 * 1024


def copy_arrow(cursor, table: str, columns: dict, *, not_null: Sequence[str] = ()) -> int:
    """COPY the columns {name: Arrow array, or what `pa.array` takes} into `table`; rows sent.

    Arrow writes the CSV (its C++ writer, no Python object per value) in a thread into a pipe
    that COPY reads as it goes, so the server parses the first rows while the last are still
    being written (Arrow's writer and psycopg2's sends both let go of the GIL). A null is
    NULL and an empty string stays an empty string (Arrow quotes every string); the columns in
    `not_null` turn a null into '' instead (FORCE_NOT_NULL). Errors come out as Django's (an
    IntegrityError a caller can catch) when `cursor` is Django's.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    # pyarrow's CSV writer emits a block of NUL bytes for an empty chunk (a column concatenated
    # from an empty part), which COPY rejects as invalid UTF-8: one contiguous chunk per
    # column leaves it nothing empty to write.
    arrow = pa.table(
        {
            name: v if isinstance(v, pa.Array | pa.ChunkedArray) else pa.array(v)
            for name, v in columns.items()
        }
    ).combine_chunks()
    if not arrow.num_rows:
        return 0
    raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
    errors = cursor.db.wrap_database_errors if hasattr(cursor, "db") else contextlib.nullcontext()
    text = [name for name in not_null if name in columns]
    force = f", FORCE_NOT_NULL ({', '.join(text)})" if text else ""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv{force})"
    read_end, write_end = os.pipe()
    failed: list[BaseException] = []

    def write() -> None:
        try:
            with pa.OSFile(f"/dev/fd/{write_end}", "wb") as sink:
                pa_csv.write_csv(
                    arrow, sink, pa_csv.WriteOptions(include_header=False, quoting_style="needed")
                )
        except BaseException as exc:  # handed to the caller below
            failed.append(exc)
        finally:
            os.close(write_end)

    writer = threading.Thread(target=write, name=f"copy-{table}", daemon=True)
    writer.start()
    try:
        with os.fdopen(read_end, "rb") as source, errors:
            raw.copy_expert(sql, source, size=COPY_CHUNK)
    finally:
        writer.join()
    if failed:
        # COPY saw an early end of data: what it wrote must not be kept.
        raise RuntimeError(f"writing the COPY data for {table} failed") from failed[0]
    return arrow.num_rows


def int_rows_copy(cursor, table: str, columns: Sequence[str], arrays) -> int:
    """COPY int64 `arrays` (one per column of `columns`, no nulls) into `table` in PostgreSQL's
    binary format, built with numpy (no text formatting or parsing of the numbers); rows sent.
    Errors come out as Django's when `cursor` is Django's."""
    import numpy as np

    count = len(arrays[0]) if len(arrays) else 0
    layout = [("fields", ">i2")]
    for i in range(len(columns)):
        layout += [(f"len{i}", ">i4"), (f"value{i}", ">i8")]
    rows = np.empty(count, dtype=np.dtype(layout))
    rows["fields"] = len(columns)
    for i, values in enumerate(arrays):
        rows[f"len{i}"] = 8
        rows[f"value{i}"] = np.asarray(values, dtype=np.int64)
    header = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
    payload = header + rows.tobytes() + (-1).to_bytes(2, "big", signed=True)
    raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
    errors = cursor.db.wrap_database_errors if hasattr(cursor, "db") else contextlib.nullcontext()
    with errors:
        raw.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)",
            io.BytesIO(payload),
        )
    return count


def ids_reserve(cursor, table: str, count: int):
    """`count` new consecutive ids of `table`'s id sequence (an int64 array, ascending): rows
    written with them need no RETURNING to be named.

    One `setval` reserves the block (a `nextval` a row took 1.7 s for 715,806 ids). Only the
    holder of `table` in ACCESS EXCLUSIVE mode may call it (`tables_lock_empty`): an INSERT
    locks the table before it draws its ids, so no one else draws from the sequence while the
    block is being taken."""
    import numpy as np

    if count <= 0:
        return np.empty(0, dtype=np.int64)
    cursor.execute(
        "SELECT setval(seq, nextval(seq) + %s - 1)"
        "  FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) s",
        [int(count), table],
    )
    last = int(cursor.fetchone()[0])
    return np.arange(last - count + 1, last + 1, dtype=np.int64)


def temp_table_load_arrow(*, name: str, columns: Sequence[tuple[str, str]], arrays: dict) -> int:
    """`temp_table_load` for Arrow arrays {column: array}, one per column of `columns`
    (`copy_arrow`: a null is NULL, an empty string stays an empty string)."""
    column_sql = ", ".join(f"{col} {sql_type}" for col, sql_type in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMP TABLE {name} ({column_sql})")
        return copy_arrow(cursor, name, {col: arrays[col] for col, _ in columns})


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
    in a column of another type, '' in a text column (text columns are never NULL here).

    Written by Arrow (`copy_arrow`): for a frame shaped like the 1.97M contact actions of a
    first cycle at 1M debts, pandas' `to_csv` took 3.7 s and Arrow 0.26 s."""
    column_sql = ", ".join(f"{col} {sql_type}" for col, sql_type in columns)
    names = [col for col, _ in columns]
    text = [col for col, sql_type in columns if sql_type.startswith(("varchar", "text"))]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMP TABLE {name} ({column_sql})")
        copy_arrow(cursor, name, {col: frame[col] for col in names}, not_null=text)
        cursor.execute(f"ANALYZE {name}")
    return len(frame)


def _copy_out(sql: str, params: Sequence, buffer):
    """Write the rows of a SELECT into `buffer` as CSV (`COPY ... TO STDOUT`); returns it."""
    with connection.cursor() as cursor:
        query = cursor.cursor.mogrify(sql, list(params)).decode()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer)
    return buffer


def frame_copy(sql: str, params: Sequence = (), *, columns: Sequence[str], dtype=None):
    """The rows of a SELECT as a pandas DataFrame, read through `COPY ... TO STDOUT` (several
    times faster than fetching tuples). Text columns keep '' for empty and NULL alike."""
    import pandas as pd

    buffer = _copy_out(sql, params, io.StringIO())
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


def arrow_frame(
    sql: str,
    params: Sequence,
    columns: Sequence[str],
    *,
    text: Sequence[str] = (),
    labels: Sequence[str] = (),
):
    """The rows of a SELECT as a pandas DataFrame named `columns`, read through `COPY ... TO
    STDOUT` and parsed by Arrow (types inferred; a NULL string is missing, '' stays '').
    Columns in `text` are read as strings whatever they hold: PostgreSQL quotes only the
    values that need it, so a product or region code of digits would be read as a number.
    Columns in `labels` (strings of a few distinct values: a stage, a channel, a template
    code) are read as Arrow dictionaries and come out as an object column of Python strings,
    one object per distinct value (1.97M rows shaped like a first cycle's contact actions:
    0.36-0.75 s, against 0.72-0.99 s for pandas' CSV reader).

    Parsing costs a fraction of a second per million rows. Fetching tuples and building the
    frame from them cost the cycle's first-day load at 1M debts 1.5-2 s more (3.9-4.8 s in
    all, against 2.4-2.9 s this way).
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    buffer = _copy_out(sql, params, io.BytesIO())
    if buffer.tell() == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    buffer.seek(0)
    table = pa_csv.read_csv(
        buffer,
        read_options=pa_csv.ReadOptions(column_names=list(columns)),
        convert_options=pa_csv.ConvertOptions(
            column_types={
                **{name: pa.string() for name in text},
                **{name: pa.dictionary(pa.int32(), pa.string()) for name in labels},
            },
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    if not labels:
        return table.to_pandas()
    table = table.unify_dictionaries()  # one dictionary per column across Arrow's blocks
    frame = table.drop_columns(list(labels)).to_pandas()
    for name in sorted(labels, key=list(columns).index):  # each into its place, left to right
        column = table.column(name).combine_chunks()
        values = np.asarray(column.dictionary.to_pylist() + [None], dtype=object)
        codes = column.indices.fill_null(len(values) - 1).to_numpy()
        # object dtype kept: pandas would otherwise convert them to its string type, row by row
        frame.insert(
            list(columns).index(name), name, pd.Series(values[codes], dtype=object, copy=False)
        )
    return frame


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


@contextmanager
def gc_paused():
    """Python's cycle collector paused for the body: a batch step that allocates millions of
    short-lived objects and makes few cycles (message planning's contacts, tuples and lists).
    Each full collection walks every object the process holds, and a batch process holds
    millions: a first cycle's planning at 1M debts spent 1.2 s of its 23.8 s in collections.
    Back on after the body (when it was on): its next collection takes what the body left.
    The switch is the process's: another thread's collections wait meanwhile too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def local_setting(name: str, value: str):
    """Setting `name` at `value` for the statements of the body only (`set_config`, local to
    the transaction: in a savepoint, so a failing body undoes it too; then put back as it
    was). For a statement whose plan PostgreSQL misjudges on a bulk day, or an ANALYZE that
    needs only a small sample."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value])
        previous = cursor.fetchone()[0]
        yield
        cursor.execute("SELECT set_config(%s, %s, true)", [name, previous])


@contextmanager
def column_defaults(cursor, table: str, values: dict):
    """While the body runs, the columns of `table` named in `values` default to those values:
    a COPY that leaves them out writes them without PostgreSQL parsing one per row. For a bulk
    write whose rows share them, into a table this transaction holds in ACCESS EXCLUSIVE mode
    (`tables_lock_empty`: nobody else writes it meanwhile). Each column's own default, if any,
    is put back after; were the body to fail, rolling the transaction back undoes both."""
    cursor.execute(
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a"
        " JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        " WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)",
        [table, list(values)],
    )
    own = dict(cursor.fetchall())
    cursor.execute(
        f"ALTER TABLE {table} "
        + ", ".join(f"ALTER COLUMN {column} SET DEFAULT %s" for column in values),
        list(values.values()),
    )
    yield
    cursor.execute(
        f"ALTER TABLE {table} "
        + ", ".join(
            f"ALTER COLUMN {column} SET DEFAULT {own[column]}"
            if column in own
            else f"ALTER COLUMN {column} DROP DEFAULT"
            for column in values
        )
    )


T = TypeVar("T")
U = TypeVar("U")


def transaction_reads_committed_rows() -> bool:
    """Whether every row this connection reads is committed, save its own transaction's:
    outside any transaction, or in one that is the outermost atomic block (a job's own, not
    nested in a caller's that may have written). Another connection then reads what this one
    does, less what its own transaction wrote."""
    if connection.in_atomic_block:
        return len(connection.atomic_blocks) == 1
    return connection.get_autocommit()


def reads_beside(main: Callable[[], T], beside: Callable[[], U]) -> tuple[T, U]:
    """(`main()`, `beside()`): two reads at once, `beside` on a connection of its own (a
    thread, a read-only transaction with the batch planner settings), when the other
    connection would read the same rows (transaction_reads_committed_rows); one after the
    other on this connection otherwise (a caller's transaction, a test's). `beside` must not
    read what the caller's transaction wrote.

    On two cores the server works on both statements and the client parses one result while
    the other is computed (#17: the nightly job's payments aggregate beside its debts).
    """
    if not transaction_reads_committed_rows():
        return main(), beside()

    def run_beside() -> U:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION READ ONLY")
                    batch_planner_tune(cursor)
                return beside()
        finally:
            connection.close()  # the thread's own connection

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reads-beside") as pool:
        future = pool.submit(run_beside)
        return main(), future.result()


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


def phases_text(seconds: dict[str, float], *, digits: int = 2) -> str:
    """`phase_timer`'s dict as one line: "load 1.23s, plan 4.56s" (benchmarks and DEBUG logs)."""
    return ", ".join(f"{name} {secs:.{digits}f}s" for name, secs in seconds.items())


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


class _TablesInUse(Exception):
    pass


def _tables_empty(cursor, tables: Sequence[str]) -> bool:
    cursor.execute("SELECT " + " AND ".join(f"NOT EXISTS (SELECT 1 FROM {t})" for t in tables))
    return cursor.fetchone()[0]


def tables_lock_empty(cursor, tables: Sequence[str]) -> bool:
    """Whether every table is empty and now locked by this transaction until it ends.

    Locks nothing (and says False) unless every table is empty and could be locked at once,
    within two seconds: a table in use is left to ordinary index upkeep. For a bulk write
    into tables that only ever start empty once (a new installation's first import, its first
    night), whose indexes `indexes_defer` may then drop and `indexes_rebuild` build again.
    """
    if not _tables_empty(cursor, tables):
        return False

    def still_empty():
        if not _tables_empty(cursor, tables):  # a row arrived while we waited for the locks
            raise _TablesInUse

    return _tables_lock_soon(cursor, tables, mode="ACCESS EXCLUSIVE", then=still_empty)


def _tables_lock_soon(cursor, tables: Sequence[str], *, mode: str, then=None) -> bool:
    """Lock `tables` in `mode` until the transaction ends, if that takes under two seconds
    (and `then()`, run holding them, raises no _TablesInUse); else lock nothing: False."""
    try:
        # Rolling this savepoint back also releases the locks it took.
        with transaction.atomic():
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN {mode} MODE")
            cursor.execute("SET LOCAL lock_timeout = DEFAULT")
            if then is not None:
                then()
    except (DatabaseError, _TablesInUse):
        return False
    return True


def references_lock(cursor, tables: Sequence[str]) -> bool:
    """Whether the tables the foreign keys of `tables` point at are now locked against writes
    (SHARE ROW EXCLUSIVE, as adding a foreign key locks them) until this transaction ends.

    Locks nothing (and says False) unless all could be locked within two seconds. Taken
    before `indexes_defer` drops the foreign keys, so that their checks, run again as one
    statement each when they are added back, neither wait for another writer nor find a row
    it removed meanwhile; readers are not held up.
    """
    cursor.execute(
        "SELECT DISTINCT confrelid::regclass::text FROM pg_constraint"
        " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])"
        " AND NOT confrelid = ANY(%s::regclass[]) ORDER BY 1",
        [list(tables), list(tables)],
    )
    referenced = [row[0] for row in cursor.fetchall()]
    return not referenced or _tables_lock_soon(cursor, referenced, mode="SHARE ROW EXCLUSIVE")


def indexes_defer(
    cursor, tables: Sequence[str], *, primary_keys: bool = False, foreign_keys: bool = False
) -> list[str]:
    """Drop the secondary indexes and unique constraints of the tables (and their primary keys
    with `primary_keys`, their foreign keys with `foreign_keys`); return the statements that
    build them again, each table's primary key first, the foreign keys last (each checked
    over every row in one statement when it is added back).

    Only for tables `tables_lock_empty` locked: nothing else may see them meanwhile; foreign
    keys only once `references_lock` holds the tables they point at. A key another table's
    foreign key points at stays (the foreign key needs it).
    """
    drop, rebuild, references = [], [], []
    kinds = ["p", "u"] if primary_keys else ["u"]
    for table in tables:
        cursor.execute(
            "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
            " WHERE c.conrelid = %s::regclass AND c.contype = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint f"
            "  WHERE f.contype = 'f' AND f.confrelid = c.conrelid AND f.conindid = c.conindid)"
            " ORDER BY c.contype, c.conname",
            [table, kinds],
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
        if foreign_keys:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [table],
            )
            for name, definition in cursor.fetchall():
                drop.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                references.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for statement in drop:
        cursor.execute(statement)
    return rebuild + references


def indexes_rebuild(cursor, statements: Sequence[str]) -> None:
    """Run what `indexes_defer` returned: one sort per index instead of an insertion per row."""
    if not statements:
        return
    # One sort per index: give it room (for this transaction only).
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for statement in statements:
        cursor.execute(statement)


@contextmanager
def indexes_built_after(
    cursor, tables: Sequence[str], *, primary_keys: bool = False, foreign_keys: bool = False
):
    """Around a bulk write into tables that may still be empty: when they are and can be
    locked (`tables_lock_empty`), their indexes are dropped before the body (`indexes_defer`)
    and built again after it (`indexes_rebuild`); otherwise the body writes with them in place.
    With `foreign_keys`, so are the tables' foreign keys when the tables they point at can be
    locked too (`references_lock`). Yields whether any was dropped. A duplicate key (or a row
    naming no row of another table) then fails the rebuild, on leaving, with the
    IntegrityError the write would have raised; a failing body rebuilds nothing (the caller's
    savepoint undoes the rows and the drops together)."""
    rebuild = []
    if tables_lock_empty(cursor, tables):
        rebuild = indexes_defer(
            cursor,
            tables,
            primary_keys=primary_keys,
            foreign_keys=foreign_keys and references_lock(cursor, tables),
        )
    yield bool(rebuild)
    indexes_rebuild(cursor, rebuild)


def insert_into_empty(
    cursor,
    table: str,
    *,
    rows: int,
    insert: Callable[[bool], None],
    foreign_keys: bool = False,
) -> bool:
    """Run `insert(deferred)`, a bulk INSERT of about `rows` rows into `table`; returns whether
    the table's key and indexes (and with `foreign_keys` its foreign keys: `indexes_built_after`)
    were built after it.

    A new installation's first cycle writes millions of rows into tables that start empty.
    With CARTERA_NIGHTLY_BULK_MIN_ROWS rows or more and the table empty and lockable
    (`indexes_built_after`: locked for the rest of the transaction), the rows go in before the
    key and indexes, built after them: one sort each instead of an insertion per row.
    `insert(True)` then runs with no unique index to name in an ON CONFLICT. Should the rows
    break a unique key, its build fails: the savepoint undoes the rows, the drops and the lock,
    and `insert(False)` writes them with the indexes in place.
    """
    if rows < settings.CARTERA_NIGHTLY_BULK_MIN_ROWS:
        insert(False)
        return False
    deferred = False
    try:
        with (
            transaction.atomic(),
            indexes_built_after(
                cursor, [table], primary_keys=True, foreign_keys=foreign_keys
            ) as deferred,
        ):
            insert(deferred)
    except IntegrityError:
        if not deferred:
            raise
        insert(False)
        return False
    return deferred
