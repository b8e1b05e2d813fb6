"""`field__any=[...]`: the field equals one of the values, passed as ONE array parameter.

Django's `__in` writes a placeholder per value and prepares each value through the field and
the lookup: about 35 microseconds a value here, seconds for the tens of thousands of ids a
set-based step (the cycle's agreements step, bulk task creation) passes at a million debts.
`= ANY(%s)` sends the list as a PostgreSQL array (psycopg2 adapts a Python list) and PostgreSQL
plans it as it plans `IN`. Values are passed as they are: ids, codes, keys (no conversion
through the field, so no model instances or expressions).
"""

from django.db.models import Field, ForeignObject, Lookup


@Field.register_lookup
@ForeignObject.register_lookup  # foreign keys read their own lookups only
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]
