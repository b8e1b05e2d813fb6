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

from django.db.models import F, JSONField, Model, QuerySet, Subquery, TextField
from django.db.models.functions import JSONObject

# Never read into a related object: secrets (a password hash) stay in the database.
_SKIPPED_COLUMNS = {"password"}


def _columns(model: type[Model]) -> list:
    return [f for f in model._meta.concrete_fields if f.column not in _SKIPPED_COLUMNS]


class JSONRows(Subquery):
    """`queryset`'s rows (its order and slice kept) as a JSON array in one text column, with
    the `related` foreign keys' rows nested in each (as select_related would join them)."""

    template = "(SELECT COALESCE(json_agg(_r), '[]')::text FROM (%(subquery)s) _r)"
    output_field = TextField()

    def __init__(self, queryset: QuerySet, *, fields: Sequence[str] = (), related=()):
        model = queryset.model
        names = list(fields) or [f.attname for f in model._meta.concrete_fields]
        nested = {
            f"_rel_{name}": JSONObject(
                **{
                    f.column: F(f"{name}__{f.attname}")
                    for f in _columns(model._meta.get_field(name).related_model)
                }
            )
            for name in related
        }
        super().__init__(queryset.values(*names, **nested))


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
    rows = json.loads(text or "[]", parse_float=Decimal)
    related = list(related)
    result = []
    for row in rows:
        obj = _instance(model, row, db)
        for name in related:
            field = model._meta.get_field(name)
            data = row.get(f"_rel_{name}") or {}
            target = field.related_model
            pk_column = target._meta.pk.column
            value = _instance(target, data, db) if data.get(pk_column) is not None else None
            field.set_cached_value(obj, value)
        result.append(obj)
    return result
