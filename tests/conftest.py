import importlib
import sys

import factory.random
import pytest
from rest_framework.test import APIClient

from tests.factories.portfolio import CreditorFactory
from tests.factories.users import AdminFactory, CollectorFactory, ManagerFactory


@pytest.fixture(autouse=True)
def _reproducible_factories():
    # Same fake names, documents and amounts on every run: a failure can be replayed.
    factory.random.reseed_random("cartera")


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


@pytest.fixture(autouse=True)
def compliance_engine(monkeypatch):
    """The real compliance engine once feat/compliance is merged; until then a test stand-in.

    The application itself imports `messaging.compliance` unguarded (it fails loudly without
    it); only the test run substitutes tests/messaging/fake_engine.py.
    """
    try:
        return importlib.import_module("messaging.compliance")
    except ImportError:
        from tests.messaging import fake_engine

        fake = fake_engine.module()
        monkeypatch.setitem(sys.modules, "messaging.compliance", fake)
        return fake
