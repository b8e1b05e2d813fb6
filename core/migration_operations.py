"""Migration operations for moving a model from one app to another without touching its rows."""

from django.db.migrations.operations.base import Operation


class MoveModelTable(Operation):
    """The database half of moving a model between apps: rename its table and its indexes.

    Use it after a `SeparateDatabaseAndState` whose state operations create the model in its
    new app (and delete it from the old one): the rows stay where they are, only the table and
    its `Meta.indexes` take the names the new app gives them. Foreign keys of other tables keep
    pointing at it (PostgreSQL follows the table, not its name).
    """

    reversible = True

    def __init__(self, model_name: str, old_table: str):
        self.model_name = model_name
        self.old_table = old_table

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {
                "model_name": self.model_name,
                "old_table": self.old_table,
            },
        )

    def state_forwards(self, app_label, state):
        pass  # the state moved in the SeparateDatabaseAndState before this operation

    @property
    def old_app_label(self) -> str:
        # Default table names are "<app label>_<model name>".
        return self.old_table[: -len(self.model_name) - 1]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        schema_editor.alter_db_table(model, self.old_table, model._meta.db_table)
        self._rename_indexes(schema_editor, model)
        self._move_content_type(schema_editor, self.old_app_label, app_label)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        # Back to the old table name; index names stay (a later forward renames them again).
        model = from_state.apps.get_model(app_label, self.model_name)
        schema_editor.alter_db_table(model, model._meta.db_table, self.old_table)
        self._move_content_type(schema_editor, app_label, self.old_app_label)

    def _move_content_type(self, schema_editor, old_label: str, new_label: str) -> None:
        # The model's content type (its permissions, admin log entries, history) moves with
        # it, rather than post_migrate making a second one and orphaning the first.
        schema_editor.execute(
            "UPDATE django_content_type SET app_label = %s"
            " WHERE app_label = %s AND model = %s AND NOT EXISTS ("
            "   SELECT 1 FROM django_content_type WHERE app_label = %s AND model = %s)",
            [new_label, old_label, self.model_name.lower(), new_label, self.model_name.lower()],
        )

    def describe(self):
        return f"Move the table {self.old_table} to model {self.model_name}"

    @staticmethod
    def _rename_indexes(schema_editor, model):
        connection = schema_editor.connection
        table = model._meta.db_table
        with connection.cursor() as cursor:
            existing = connection.introspection.get_constraints(cursor, table)
        wanted = {index.name for index in model._meta.indexes}
        for index in model._meta.indexes:
            if index.name in existing or not index.fields:
                continue
            columns = [model._meta.get_field(name.lstrip("-")).column for name in index.fields]
            candidates = sorted(
                (
                    name
                    for name, info in existing.items()
                    if info["index"]
                    and not info["primary_key"]
                    and not info["unique"]
                    and info["columns"] == columns
                    and name not in wanted
                ),
                # A Meta index (named ..._idx) rather than the one a foreign key made.
                key=lambda name: (not name.endswith("_idx"), name),
            )
            if candidates:
                old = candidates[0]
                schema_editor.execute(
                    f"ALTER INDEX {schema_editor.quote_name(old)} "
                    f"RENAME TO {schema_editor.quote_name(index.name)}"
                )
                existing[index.name] = existing.pop(old)
