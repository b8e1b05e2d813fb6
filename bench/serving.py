"""What the web benches share: gunicorn with production settings, and users timing pages.

`bench/web.py` (the collectors' workspace) and `bench/dashboard_load.py` (the managers'
dashboard) seed their own data and pick their own URLs; serving, the timed user loop and the
report are here. Import it after setting DJANGO_SECRET_KEY to BENCH_KEY, so the sessions the
bench makes are readable by the server.
"""

import argparse
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A fresh key per bench run (the server is this process's child): a key written here would be
# public, and production settings refuse the weak ones.
BENCH_KEY = secrets.token_hex(32)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect (to the login page) is a failure here, not a page to time.
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def add_load_arguments(
    parser: argparse.ArgumentParser, *, users: int, requests: int, port: int
) -> None:
    """--users, --workers, --requests, --seconds, --port and --think."""
    parser.add_argument("--users", type=int, default=users)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--requests", type=int, default=requests, help="total responses to time")
    parser.add_argument("--seconds", type=float, default=120, help="stop after this long")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds a user reads a page before the next request (0.5-1.5 x this, at "
        "random); 0, the default, sends requests back to back (the worst case)",
    )


@contextmanager
def gunicorn_serving(
    *, workers: int, port: int, settings: str = "config.settings.production"
) -> Iterator[str]:
    """gunicorn on 127.0.0.1 with production settings (or `settings`, a module that starts
    from them) while the block runs; yields its URL."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DJANGO_SECRET_KEY": BENCH_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        # Production settings refuse sandboxes (config/checks.py); the bench sends and charges
        # nothing, so the real providers are named with placeholder keys, SMS and WhatsApp off.
        "CARTERA_PORTAL_PAYMENT_PROVIDER": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "CARTERA_SMS_CHANNEL": "",
        "CARTERA_WHATSAPP_CHANNEL": "",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "-w", str(workers)]
        + ["-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"{base}/health/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def get(base: str, url: str, cookie: str) -> tuple[int, float]:
    """(status, milliseconds) of one GET with the session cookie."""
    request = urllib.request.Request(base + url, headers={"Cookie": f"sessionid={cookie}"})
    started = time.perf_counter()
    with OPENER.open(request, timeout=60) as response:
        response.read()
        status = response.status
    return status, (time.perf_counter() - started) * 1000


def time_users(
    *,
    base: str,
    args: argparse.Namespace,
    labels: list[str],
    pick: Callable[[int, random.Random], tuple[str, str, str]],
) -> None:
    """`args.users` threads GET what `pick(user, rng)` returns (label, url, cookie) until
    `args.requests` responses or `args.seconds`; prints p50 / p95 / max per label."""
    timings: dict[str, list[float]] = {label: [] for label in labels}
    errors: list = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def run(index: int) -> None:
        rng = random.Random(index)
        while time.monotonic() < deadline:
            with lock:
                if sum(len(v) for v in timings.values()) + len(errors) >= args.requests:
                    return
            label, url, cookie = pick(index, rng)
            try:
                status, ms = get(base, url, cookie)
                ok = status == 200
            except OSError as exc:
                ok, ms = False, exc
            with lock:
                (timings[label] if ok else errors).append(ms if ok else (url, ms))
            if args.think:
                time.sleep(rng.uniform(0.5, 1.5) * args.think)

    started = time.perf_counter()
    with ThreadPoolExecutor(args.users) as pool:
        list(pool.map(run, range(args.users)))
    wall = time.perf_counter() - started
    done = sum(len(v) for v in timings.values())
    print(
        f"gunicorn {args.workers} workers, {args.users} concurrent users "
        f"(think time {args.think:g} s), {wall:.0f} s, {done / wall:.1f} responses/s"
    )
    width = max(len(label) for label in labels)
    for label, values in timings.items():
        if values:
            print(
                f"{label:<{width}} p50 {statistics.median(values):7.1f} ms  p95 "
                f"{pct(values, 95):7.1f} ms  max {max(values):7.1f} ms  ({len(values)} req)"
            )
    if errors:
        print(f"errors: {len(errors)} (first: {errors[0]})")
