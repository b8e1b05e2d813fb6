"""Reading from a PostgreSQL read replica where a little lag does no harm.

With `DATABASE_REPLICA_URL` set, the settings add a `replica` database and install
`ReplicaRouter` and `ReplicaMiddleware`. The pages and endpoints named in
`CARTERA_REPLICA_VIEWS` (the KPI dashboard, its exports and the KPI API: figures the nightly
job wrote hours ago) then read the business data (REPLICA_APPS) through the ORM from the
replica; every other read, and every write anywhere, goes to `default`. Batch jobs and the
collectors' screens never read from the replica: they act on what they read. Without a
replica nothing changes (the router leaves every query to default).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
# The business data a replica view reads. Sessions, users, permissions and the sign-in
# lockout stay on default: a session written a moment ago may not have reached the replica.
REPLICA_APPS = frozenset({"portfolio", "messaging", "agreements", "collections_app", "analytics"})

_reading_replica: ContextVar[bool] = ContextVar("cartera_reading_replica", default=False)


def replica_configured() -> bool:
    """Whether a read replica is configured (`DATABASE_REPLICA_URL`)."""
    return REPLICA in connections.databases


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Route the ORM reads inside the block to the replica (when one is configured)."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


class ReplicaRouter:
    """Reads inside `reading_from_replica` go to the replica; everything else to default."""

    def db_for_read(self, model, **hints):
        if (
            _reading_replica.get()
            and model._meta.app_label in REPLICA_APPS
            and replica_configured()
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as default: objects from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema through replication, never by migrating.
        return db != REPLICA


class ReplicaMiddleware:
    """Serve the views named in `CARTERA_REPLICA_VIEWS` with their reads on the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _reading_replica.reset(token)
                request._replica_token = None

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if (
            match is not None
            and match.view_name in getattr(settings, "CARTERA_REPLICA_VIEWS", ())
            and replica_configured()
        ):
            request._replica_token = _reading_replica.set(True)
        return None
