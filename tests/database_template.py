"""One migration per test run, however many pytest-xdist workers share it.

Applying every migration to an empty database takes 40 s on this machine, and about 75 s each
when both workers do it at once (rendering the historical models is most of it). Here the
workers clone one migrated template database (`CREATE DATABASE ... TEMPLATE`, a file copy):

- As the run starts, the xdist controller (which runs no test) migrates the template in a
  `manage.py migrate` of its own, while the workers start on the suite. It holds a PostgreSQL
  advisory lock until the template is ready.
- A worker that needs a new test database takes the lock (waiting for the template when it is
  still being built) and clones the template; when there is none (no DATABASE_URL, or the
  build failed) it migrates its own database and leaves a copy as the template.

The template carries, as its comment, a hash of every migration file: a changed migration
makes a new one. With `--create-db` it must also come from this run (xdist's run id), so a
fresh run still migrates from nothing once. A worker whose database exists and is kept
(`--reuse-db`) takes pytest-django's usual path, which applies any new migration.
"""

import hashlib
import os
import subprocess
import sys
import threading
import urllib.parse
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from pytest_django.fixtures import _get_databases_for_setup

# An arbitrary constant key for pg_advisory_lock: "cartera test template".
LOCK_KEY = 0x0CA27E4A


def migrations_hash() -> str:
    digest = hashlib.sha256()
    for app in sorted(apps.get_app_configs(), key=lambda app: app.label):
        folder = Path(app.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else ():
            digest.update(f"{app.label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _template_name() -> str:
    return f"test_{connection.settings_dict['NAME']}_template"


def _made(run: str) -> str:
    """The comment of a template made in run `run`."""
    return f"{migrations_hash()} {run}"


def _current(comment: str | None, made: str, *, keepdb: bool) -> bool:
    """Kept databases take a template of the same migrations; --create-db, this run's."""
    if comment is None:
        return False
    return comment == made or (keepdb and comment.split()[:1] == made.split()[:1])


def _comment(cursor, name: str) -> str | None:
    """The database's comment ("" when it has none), or None when there is no such database."""
    cursor.execute(
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
        "FROM pg_database WHERE datname = %s",
        [name],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


# --- the xdist controller: build the template while the workers start --------------------


class _Build:
    def __init__(self, config):
        self.config = config
        self.process: subprocess.Popen | None = None
        self.thread: threading.Thread | None = None
        self.lock_connection = None
        self.stopping = False

    def start(self) -> None:
        url = os.environ.get("DATABASE_URL")
        workers = self.config.option.numprocesses or 0
        if not url or not workers or self.config.option.collectonly:
            return
        keepdb = self.config.option.reuse_db and not self.config.option.create_db
        if self.config.option.testrunuid is None:
            self.config.option.testrunuid = uuid.uuid4().hex  # the id xdist gives the workers
        made = _made(self.config.option.testrunuid)
        template = _template_name()
        sd = connection.settings_dict
        params = {"HOST": "host", "PORT": "port", "USER": "user", "PASSWORD": "password"}
        lock = psycopg2.connect(
            dbname="postgres", **{key: sd[name] for name, key in params.items() if sd.get(name)}
        )
        lock.autocommit = True
        cursor = lock.cursor()
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        self.lock_connection = lock
        worker_dbs = [f"test_{sd['NAME']}_gw{i}" for i in range(workers)]
        needed = not keepdb or any(_comment(cursor, name) is None for name in worker_dbs)
        if not needed or _current(_comment(cursor, template), made, keepdb=keepdb):
            self.release()
            return
        building = f"{template}_building"
        cursor.execute(f"DROP DATABASE IF EXISTS {_quote(building)}")
        cursor.execute(f"CREATE DATABASE {_quote(building)}")
        parts = urllib.parse.urlsplit(url)
        env = {**os.environ, "DATABASE_URL": parts._replace(path=f"/{building}").geturl()}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "migrate", "--run-syncdb", "--no-input", "--skip-checks",
             "--verbosity=0", "--settings=config.settings.test"],
            cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

        def finish():
            _, errors = self.process.communicate()
            try:
                if self.process.returncode == 0:
                    cursor.execute(f"DROP DATABASE IF EXISTS {_quote(template)}")
                    cursor.execute(
                        f"ALTER DATABASE {_quote(building)} RENAME TO {_quote(template)}"
                    )
                    cursor.execute(f"COMMENT ON DATABASE {_quote(template)} IS %s", [made])
                    return
                # A stopped migrate's session may still be ending.
                cursor.execute(f"DROP DATABASE IF EXISTS {_quote(building)} WITH (FORCE)")
                if not self.stopping:  # the workers migrate their own databases; say why
                    sys.stderr.write(f"test database template not built:\n{errors.decode()}\n")
            finally:
                self.release()

        self.thread = threading.Thread(target=finish, daemon=True)
        self.thread.start()

    def release(self) -> None:
        if self.lock_connection is not None:
            self.lock_connection.close()  # ends the session, and with it the advisory lock
            self.lock_connection = None

    def stop(self) -> None:
        """At the end of the run: a build no worker waited for is not finished."""
        self.stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
        if self.thread is not None:
            self.thread.join(timeout=60)
        self.release()


def pytest_sessionstart(session):
    config = session.config
    if hasattr(config, "workerinput") or config.pluginmanager.getplugin("dsession") is None:
        return  # a worker, or a run without xdist
    config._cartera_template_build = build = _Build(config)
    build.start()


def pytest_sessionfinish(session):
    build = getattr(session.config, "_cartera_template_build", None)
    if build is not None:
        build.stop()


# --- the workers ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    from django.test.utils import setup_databases, teardown_databases

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    aliases, serialized = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    keepdb = django_db_keepdb and not django_db_createdb

    def setup(*, keep: bool):
        return setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized,
            keepdb=keep,
        )

    with django_db_blocker.unblock():
        if not worker or set(aliases) - {"default"}:
            db_cfg = setup(keep=keepdb)
        else:
            db_cfg = _from_template(setup, keepdb=keepdb)

    yield

    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=verbosity)


def _from_template(setup, *, keepdb: bool):
    name = connection.creation._get_test_db_name()
    template = _template_name()
    made = _made(os.environ.get("PYTEST_XDIST_TESTRUNUID", ""))
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            if keepdb and _comment(cursor, name) is not None:
                return setup(keep=True)  # the kept database; migrate applies what is new
            if _current(_comment(cursor, template), made, keepdb=keepdb):
                cursor.execute(f"DROP DATABASE IF EXISTS {_quote(name)}")
                cursor.execute(f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(template)}")
                return setup(keep=True)  # nothing left to apply: checks only
            db_cfg = setup(keep=False)  # creates and migrates this worker's database
            for alias in connections:
                connections[alias].close()
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(template)}")
            cursor.execute(f"CREATE DATABASE {_quote(template)} TEMPLATE {_quote(name)}")
            cursor.execute(f"COMMENT ON DATABASE {_quote(template)} IS %s", [made])
            return db_cfg
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
