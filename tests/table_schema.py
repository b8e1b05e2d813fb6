"""What a test compares to say a bulk write left tables as it found them: their indexes and
constraints, as PostgreSQL would recreate them."""

from django.db import connection


def table_schema(tables) -> tuple[list, list]:
    """([(table, index, definition)], [(table, constraint, kind, definition, validated)])."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid"
            " WHERE c.oid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid),"
            " convalidated FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [list(tables)],
        )
        return indexes, cursor.fetchall()
