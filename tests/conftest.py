import factory.random
import pytest
from rest_framework.test import APIClient

from tests.factories.portfolio import CreditorFactory
from tests.factories.users import AdminFactory, CollectorFactory, ManagerFactory

# `contact_hours`: the application clock frozen inside the contact hours (any day, any hour).
pytest_plugins = ["tests.collections_app.workspace_helpers"]


@pytest.fixture(autouse=True)
def _reproducible_factories():
    # Same fake names, documents and amounts on every run: a failure can be replayed.
    factory.random.reseed_random("cartera")


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
