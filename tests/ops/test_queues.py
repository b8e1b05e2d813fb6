"""Celery queues: each kind of work is routed to its own queue, every queue has a worker in
`make run` and docker-compose, and two real workers on different queues each run only theirs."""

import importlib.machinery
import importlib.util
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from celery import Celery
from celery.app import routes
from django.conf import settings

from config.celery import app
from tests.ops.test_processes import _database_url, _redis, _spawn, _stop, _tail

ROOT = Path(settings.BASE_DIR)
WAIT_SECONDS = 60

EXPECTED = {
    "collections_app.tasks.cycle_run_task": "cycle",
    "messaging.tasks.dispatch_due": "dispatch",
    "messaging.tasks.send_batch": "dispatch",
    "messaging.tasks.send_message": "dispatch",
    "imports.tasks.import_batch_run_task": "imports",
    "analytics.tasks.nightly_run_task": "analytics",
    "core.tasks.heartbeat": "celery",
}


@pytest.fixture
def workdir():
    # A short path: unix socket paths are limited to ~107 bytes.
    path = Path(tempfile.mkdtemp(prefix="cartera-queues-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _queue(name: str) -> str:
    # The routes bin/run and docker-compose turn on (CARTERA_SPLIT_QUEUES).
    router = routes.Router(
        routes.prepare(settings.CARTERA_TASK_ROUTES), app.amqp.queues, create_missing=True, app=app
    )
    return router.route({}, name)["queue"].name


def test_the_split_is_on_where_every_queue_has_a_worker_and_off_elsewhere():
    # A plain worker (no -Q) consumes only the default queue: without the workers of bin/run
    # or docker-compose, routing work elsewhere would leave it unconsumed.
    assert settings.CELERY_TASK_ROUTES == {}
    assert app.amqp.router.route({}, "messaging.tasks.send_batch")["queue"].name == "celery"
    bin_run = (ROOT / "bin" / "run").read_text()
    assert 'env["CARTERA_SPLIT_QUEUES"] = "true"' in bin_run
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["x-app"]["environment"]["CARTERA_SPLIT_QUEUES"] == "true"


def _our_tasks() -> list[str]:
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def _bin_run_workers():
    loader = importlib.machinery.SourceFileLoader("bin_run", str(ROOT / "bin" / "run"))
    spec = importlib.util.spec_from_loader("bin_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module.WORKERS


def test_each_kind_of_work_has_its_own_queue():
    for task, queue in EXPECTED.items():
        assert _queue(task) == queue, task
    # and no task of the project lands on a queue nobody is meant to consume
    assert {_queue(task) for task in _our_tasks()} <= set(settings.CARTERA_QUEUES)


def test_make_run_starts_a_worker_for_every_queue_and_dispatch_on_its_own():
    workers = _bin_run_workers()
    consumed = [queue for _name, queues, _c in workers for queue in queues]
    assert sorted(consumed) == sorted(settings.CARTERA_QUEUES)  # each queue exactly once
    dispatch = [name for name, queues, _c in workers if "dispatch" in queues]
    assert len(workers) >= 2 and len(dispatch) == 1
    assert {n: q for n, q, _c in workers}[dispatch[0]] == ["dispatch"]


def test_docker_compose_runs_a_worker_for_every_queue():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    consumed = []
    for service in services.values():
        command = service.get("command")
        if isinstance(command, list) and "worker" in command:
            consumed += command[command.index("-Q") + 1].split(",")
    assert sorted(consumed) == sorted(settings.CARTERA_QUEUES)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_different_queues_each_run_only_their_tasks(workdir):
    # given a real broker and two workers, one on the dispatch queue, one on the others
    sock = workdir / "redis.sock"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": f"redis+socket://{sock}",
        "PYTHONUNBUFFERED": "1",
        "CARTERA_SPLIT_QUEUES": "true",
    }
    celery = [
        *(sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info"),
        *("--pool", "solo", "--without-mingle", "--without-gossip", "--without-heartbeat"),
    ]
    procs, logs = [], {name: workdir / f"{name}.log" for name in ("redis", "main", "dispatch")}
    try:
        procs.append(_redis(sock, env, logs["redis"]))
        others = [q for q in settings.CARTERA_QUEUES if q != "dispatch"]
        procs.append(_spawn([*celery, "-n", "main@%h", "-Q", ",".join(others)], env, logs["main"]))
        procs.append(
            _spawn([*celery, "-n", "dispatch@%h", "-Q", "dispatch"], env, logs["dispatch"])
        )

        # when the project's routes send a heartbeat and beat's dispatch task to the broker
        # (not the current app: the tests after this one send through the project's own)
        sender = Celery("sender", broker=env["REDIS_URL"], set_as_current=False)
        sender.conf.task_routes = settings.CARTERA_TASK_ROUTES
        sender.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
        sender.send_task("core.tasks.heartbeat")
        sender.send_task("messaging.tasks.dispatch_due")
        sender.close()

        # then each worker runs the task of its own queue, and only that one
        def done(log: Path, task: str) -> bool:
            text = log.read_text(errors="replace") if log.exists() else ""
            return re.search(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", text) is not None

        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if done(logs["main"], "core.tasks.heartbeat") and done(
                logs["dispatch"], "messaging.tasks.dispatch_due"
            ):
                break
            for proc, name in zip(procs, ("redis", "main", "dispatch"), strict=True):
                assert proc.poll() is None, f"{name} exited early:\n{_tail(logs[name])}"
            time.sleep(0.5)
        main, dispatch = (logs[n].read_text(errors="replace") for n in ("main", "dispatch"))
        assert done(logs["main"], "core.tasks.heartbeat"), f"main worker:\n{_tail(logs['main'])}"
        assert done(logs["dispatch"], "messaging.tasks.dispatch_due"), (
            f"dispatch worker:\n{_tail(logs['dispatch'])}"
        )
        # (each lists every task it knows at start-up: only received tasks count)
        assert "Task messaging.tasks.dispatch_due[" not in main
        assert "Task core.tasks.heartbeat[" not in dispatch
    finally:
        for proc in reversed(procs):
            _stop(proc)
