"""Migration tests on a PostgreSQL schema of their own, migrated forward from nothing.

A test of a data migration needs the database as it stood before that migration. Unapplying
every later migration in the test database (and applying them again afterwards) took two to
three minutes per test. Here the test's connection looks only into an empty schema (its
`search_path`), so the old state is built by applying just the migrations up to it, and the
test database's own tables are never touched; the schema is dropped afterwards.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

SCHEMA = "migration_test"


class SchemaMigrator:
    """Migrate the schema forward to exact targets, as `migrate` does; returns the state of
    the migrations then applied (their historical models: `state.apps.get_model`)."""

    def migrate(self, targets):
        MigrationExecutor(connection).migrate(targets)
        return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True)


@pytest.fixture
def schema_migrator(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        cursor.execute(f"SET search_path TO {SCHEMA}")
    try:
        yield SchemaMigrator()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET search_path")
            cursor.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
        ContentType.objects.clear_cache()
