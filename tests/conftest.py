import factory.random
import pytest
from django.db.backends.postgresql.operations import DatabaseOperations
from rest_framework.test import APIClient

from tests.factories.portfolio import CreditorFactory
from tests.factories.users import AdminFactory, CollectorFactory, ManagerFactory

# `contact_hours`: the application clock frozen inside the contact hours (any day, any hour).
# `schema_migrator`: migration tests on an empty schema of their own.
# `django_db_setup`: the xdist workers' test databases cloned from one migrated template.
pytest_plugins = [
    "tests.collections_app.workspace_helpers",
    "tests.migration_schema",
    "tests.database_template",
]


def pytest_collection_modifyitems(config, items):
    """The tests that start real processes (marked `slow`: up to two and a half minutes) run
    first. pytest-xdist hands each worker a first chunk of consecutive tests, so they are the
    first worker's first tests while the others work through the rest, instead of being the
    last tests of one worker while the others wait. Otherwise the order is the collection's
    (a stable sort)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


_MODEL_METADATA_TABLES = {"django_content_type", "auth_permission"}


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete():
    """After a transactional test (e2e, concurrency, real processes) empty the tables by DELETE.

    Django's flush TRUNCATEs every table, which gives each of them and their indexes new files:
    2-3 s here after each such test, for tables that hold a few dozen rows. DELETE takes
    milliseconds. Every foreign key is DEFERRABLE INITIALLY DEFERRED, so inside the flush's
    transaction the order of the tables does not matter. Sequences are not reset either way.

    The content types and permissions are kept: they are the models' own, and the post_migrate
    that follows every flush would only write them all again (a quarter of a second a test,
    where finding them there takes a few milliseconds). Everything else post_migrate seeds (the
    default templates, the segments) is emptied and seeded again as before.
    """
    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # One round trip: flush executes each string of the list on its own.
        deletes = (
            f"DELETE FROM {self.quote_name(table)};"
            for table in tables
            if table not in _MODEL_METADATA_TABLES
        )
        return [" ".join(("SET CONSTRAINTS ALL DEFERRED;", *deletes))]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def _reproducible_factories():
    # Same fake names, documents and amounts on every run: a failure can be replayed.
    factory.random.reseed_random("cartera")


@pytest.fixture(autouse=True)
def _settings_language():
    # A page request activates the visitor's language for the whole thread, and a test that
    # asks for Spanish would leave every later test of the worker in Spanish: each test starts
    # in LANGUAGE_CODE and leaves the thread's language as it found it.
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    # The in-process cache outlives each test's rolled-back data (the dashboard's figures).
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def creditor(db):
    return CreditorFactory(code="banco-andino", name="Banco Andino")


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="admin")


@pytest.fixture
def manager(db, creditor):
    return ManagerFactory(username="manager", creditors=[creditor])


@pytest.fixture
def collector(db):
    return CollectorFactory(username="collector")


@pytest.fixture
def other_collector(db):
    return CollectorFactory(username="collector2")
