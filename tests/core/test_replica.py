"""The read replica: with DATABASE_REPLICA_URL the dashboard, its exports and the KPI API read
the business data from it, everything else from default; without one nothing changes."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.models import AgingSnapshot
from core.replica import REPLICA, reading_from_replica
from portfolio.models import Debt

pytestmark = pytest.mark.django_db

ROUTER = "core.replica.ReplicaRouter"


@pytest.fixture
def replica(db, settings):
    """A `replica` database: a connection of its own to the test database (it sees committed
    rows only, as a replica sees what the primary committed)."""
    settings.DATABASE_ROUTERS = [ROUTER]
    settings_dict = dict(connections["default"].settings_dict)
    connections.databases[REPLICA] = settings_dict
    # Under another alias: Django's test guard refuses a connection to an alias of the settings
    # the test did not declare, and lets connections made on the fly through.
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "replica-test")
    connections[REPLICA] = wrapper
    yield wrapper
    wrapper.close()
    del connections[REPLICA]
    del connections.databases[REPLICA]


def test_without_a_replica_nothing_changes(settings):
    # given the router installed but no replica database
    settings.DATABASE_ROUTERS = [ROUTER]
    # when a replica view's block reads, then it reads from default
    with reading_from_replica():
        assert router.db_for_read(Debt) == "default"
        assert router.db_for_read(AgingSnapshot) == "default"


def _settings_with(**env) -> list:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "r = s.DATABASES.get('replica', {});"
        "print(json.dumps([sorted(s.DATABASES), s.DATABASE_ROUTERS, r.get('HOST'),"
        " r.get('NAME'), r.get('TEST')]))"
    )
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL="postgres://app@primary.internal:5432/cartera",
        **env,
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_the_settings_add_no_replica_and_no_router_by_default():
    aliases, routers, *_ = _settings_with()
    assert aliases == ["default"]
    assert routers == []


def test_database_replica_url_adds_the_replica_and_the_router():
    # given DATABASE_REPLICA_URL in the environment, when the settings load
    aliases, routers, host, name, test = _settings_with(
        DATABASE_REPLICA_URL="postgres://reader@replica.internal:5432/cartera"
    )
    # then there are two databases, the router, and tests mirror default
    assert aliases == ["default", "replica"]
    assert routers == [ROUTER]
    assert (host, name) == ("replica.internal", "cartera")
    assert test["MIRROR"] == "default"


def test_with_a_replica_only_reads_inside_the_block_go_there(replica):
    assert router.db_for_read(Debt) == "default"
    with reading_from_replica():
        assert router.db_for_read(Debt) == REPLICA
        assert router.db_for_read(AgingSnapshot) == REPLICA
        # sessions and users stay on default (a fresh session may not have replicated yet)
        assert router.db_for_read(get_user_model()) == "default"
        # and every write goes to default
        assert router.db_for_write(Debt) == "default"
    assert router.db_for_read(Debt) == "default"
    assert router.allow_migrate(REPLICA, "portfolio") is False
    assert router.allow_migrate("default", "portfolio") is True


@pytest.mark.parametrize(
    "url",
    [
        lambda: reverse("analytics:dashboard"),
        lambda: reverse("analytics:dashboard-export", args=["aging", "csv"]),
        lambda: reverse("api-kpis") + "?as_of=2026-11-30",
    ],
    ids=["dashboard", "export", "kpi-api"],
)
def test_dashboard_exports_and_kpi_api_read_from_the_replica(client, manager, replica, url):
    client.force_login(manager)
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(url())
    assert response.status_code == 200
    assert len(on_replica) > 0
    # and the request leaves nothing behind: the next read goes to default again
    assert router.db_for_read(Debt) == "default"


def test_other_pages_read_from_default(client, manager, replica):
    client.force_login(manager)
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(reverse("portfolio:debt-list"))
    assert response.status_code == 200
    assert len(on_replica) == 0
