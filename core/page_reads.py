"""Rows of several related tables read with a page's main row, in its one query.

A page put together from panels reads a few dozen rows from each of many tables (a debt's
contacts, messages, stage changes...). Each read alone is an index scan of a millisecond or
less; what the page pays is the round trip and the ORM's work per query. `JSONRows` turns a
queryset (correlated to the main row with OuterRef) into a column of the main query holding
its rows as a JSON array, and `rows_from_json` turns that column back into model instances,
exactly as the queryset would have returned them (same rows, same order, same related
objects loaded; fields it did not select are deferred).
"""

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import JSONField, Model, QuerySet, Subquery, TextField

# Never read into a related object: secrets (a password hash) stay in the database.
_SKIPPED_COLUMNS = {"password"}


def _columns(model: type[Model]) -> list:
    return [f for f in model._meta.concrete_fields if f.column not in _SKIPPED_COLUMNS]


class JSONRows(Subquery):
    """`queryset`'s rows (its order and slice kept) as a JSON array in one text column, with
    the `related` foreign keys' rows nested in each (as select_related would join them).

    The related rows are plain correlated SQL built from the models' metadata, not ORM joins:
    building and compiling an ORM join per related field costs more than the reads saved."""

    output_field = TextField()

    def __init__(self, queryset: QuerySet, *, fields: Sequence[str] = (), related=()):
        model = queryset.model
        queryset = queryset.select_related(None)
        if fields:
            queryset = queryset.only(*fields)
        quote = connection.ops.quote_name
        rows = "(%(subquery)s)"
        aggregate_order = ""
        order = _plain_ordering(queryset.query)
        if order:
            # The order and the slice are written here, over the subquery's own columns,
            # rather than compiled by the ORM: matching each ORDER BY term against the
            # selected columns is half of what compiling a page's reads costs. PostgreSQL
            # pulls the plain subquery up, so the plan is the one of the ORDER BY inside.
            query = queryset.query
            low, high = query.low_mark, query.high_mark
            query.clear_ordering(force=True, clear_default=True)
            query.clear_limits()

            def terms(alias):
                return ", ".join(
                    f"{alias}.{quote(column)}{' DESC' if descending else ''}"
                    for column, descending in order
                )

            limit = "" if high is None else f" LIMIT {high - low}"
            offset = f" OFFSET {low}" if low else ""
            rows = f"(SELECT * FROM (%(subquery)s) _q ORDER BY {terms('_q')}{limit}{offset})"
            # json_agg keeps that order by rule, not by the plan's good will.
            aggregate_order = f" ORDER BY {terms('_r')}"
        parts = ["_r"]
        for name in related:
            field = model._meta.get_field(name)
            target = field.related_model
            columns = ", ".join(f"'{f.column}', _t.{quote(f.column)}" for f in _columns(target))
            parts.append(
                f"(SELECT json_build_object({columns}) FROM {quote(target._meta.db_table)} _t"
                f" WHERE _t.{quote(target._meta.pk.column)} = _r.{quote(field.column)})"
            )
        self.template = (
            f"(SELECT COALESCE(json_agg(json_build_array({', '.join(parts)}){aggregate_order}),"
            f" '[]')::text FROM {rows} _r)"
        )
        super().__init__(queryset)


def _plain_ordering(query) -> list[tuple[str, bool]] | None:
    """The query's ORDER BY as (column, descending) pairs when every term is a column of its
    own model that the query selects (a field name, its attname or "pk", with or without "-");
    None when it has no order or orders by anything else (a relation's ordering, a lookup
    across a join, an expression, a random order, DISTINCT ON, a reversed or combined
    query): JSONRows then leaves the order to the ORM."""
    if (
        query.extra_order_by
        or query.distinct_fields
        or query.combinator
        or not query.standard_ordering
        or query.values_select
    ):
        return None
    opts = query.get_meta()
    ordering = query.order_by or (opts.ordering if query.default_ordering else ())
    if not ordering:
        return None
    names, defer = query.deferred_loading
    pairs = []
    for term in ordering:
        if not isinstance(term, str) or term in ("?", "-?"):
            return None
        descending = term.startswith("-")
        name = term[1:] if descending else term
        try:
            field = opts.pk if name == "pk" else opts.get_field(name)
        except FieldDoesNotExist:
            return None
        # A relation's name orders by the related model's ordering (a join): not a column;
        # nor is a parent model's field (multi-table inheritance).
        if (
            not field.concrete
            or (field.is_relation and name not in (field.attname, "pk"))
            or field.model._meta.concrete_model is not opts.concrete_model
        ):
            return None
        named = field.name in names or field.attname in names
        if not (field.primary_key or (not named if defer else named)):
            return None
        pairs.append((field.column, descending))
    return pairs


def _decoded(field, value):
    if value is None:
        return None
    if isinstance(field, JSONField):
        return _plain_floats(value)
    return field.to_python(value)


def _plain_floats(value):
    # The document is parsed with Decimal for exact money; a JSON field's numbers stay floats.
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_plain_floats(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain_floats(v) for k, v in value.items()}
    return value


def _instance(model: type[Model], row: dict, db: str) -> Model:
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in row:
            names.append(field.attname)
            values.append(_decoded(field, row[field.column]))
    return model.from_db(db, names, values)


def rows_from_json(
    model: type[Model], text: str | None, *, related: Iterable[str] = (), db: str = "default"
) -> list:
    """The instances a JSONRows column holds (its `related` objects attached, None for a
    null foreign key)."""
    items = json.loads(text or "[]", parse_float=Decimal)
    fields = [model._meta.get_field(name) for name in related]
    result = []
    for row, *nested in items:
        obj = _instance(model, row, db)
        for field, data in zip(fields, nested, strict=True):
            value = None if data is None else _instance(field.related_model, data, db)
            field.set_cached_value(obj, value)
        result.append(obj)
    return result
