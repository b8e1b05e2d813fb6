"""Benchmark the whole nightly chain on PostgreSQL, each phase beside a same-run floor.

    .venv/bin/python bench/nightly.py --debts 1000000 [--dispatch-max 2000]

Builds N open debts as a first import leaves them (bench/seeding_nightly.py: one to three debts
per debtor, CO/MX/US debtors, the demo's channel mix and consent rates, payments on 40 % of
the debts, active agreements on 2 % and pending promises on 2 % more), then runs the day the
way beat runs it, through the same service entry points its tasks call, for today's business
date (core.dates.business_today, so that the day's messages can be sent):
  1. cycle        collections_app.tasks.cycle_run_task -> cycle_run(as_of): days past due,
                  stage moves, contact actions, message planning (the agreements step runs
                  inside it; its own time is reported apart and subtracted);
  2. agreements   agreements.services.cycle.agreements_cycle_day, timed inside the cycle;
  3. segments     analytics.tasks.nightly_run_task -> nightly_run(as_of): segments and scores
                  (its load, score, segment, write and field-visit phases) ...
  4. KPI          ... and its KPI snapshots (its snapshot phases);
  5. dispatch     messaging.tasks.dispatch_due, the task beat runs every minute, for the day's
                  first window (the messages planned in the day's earliest hour), on a clock
                  set (time-machine) to a minute into that window when it is still ahead, so
                  that the send-time check judges them at a lawful hour whatever the hour of
                  the run (the seconds are the real ones), in-process: Celery runs eagerly here
                  (no REDIS_URL), so send_batch runs inside the call, on one core. At most
                  --dispatch-max messages are claimed (dispatch_due's limit) however many
                  are due; the line says how many were due, claimed and sent.
Floors, each measured in the same run just before its phase (writes inside a transaction
rolled back):
  cycle       one UPDATE ... CASE of every open debt's stage by days past due (a US debt
              no further than its validation notice allows, as the cycle), plus the log
              INSERT ... SELECT of one stage-change row per moved debt;
  agreements  one UPDATE ... FROM marking broken every active agreement with an instalment
              unpaid past its grace days (the step's main set-based decision);
  segments    reading the needed columns and one payments aggregate into Arrow / pandas
              (bench/segments.py);
  KPI         one aggregate statement over the open debts (bench/segments.py);
  dispatch    the sandbox provider's send (its INSERT) called directly for the same messages,
              with nothing else: no claim, render, compliance check or status change.
Ends with a `total` line; prints the load average (the machine may be shared).
Uses DATABASE_URL (default: `cartera_bench_nightly`), which it migrates and empties.
"""

import argparse
import datetime
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench_nightly")
# Eager Celery: the dispatch task's send_batch runs in this process (said in the output).
os.environ["REDIS_URL"] = ""
# Every channel that would leave the machine goes to the sandbox (e-mail included).
os.environ.setdefault("CARTERA_EMAIL_CHANNEL", "messaging.channels.sandbox.SandboxBackend")

import django
import time_machine

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

import agreements.services.cycle as agreements_cycle  # noqa: E402
from analytics.services.rules import segment_ensure_defaults  # noqa: E402
from bench.seeding import LADDER_TARGET_CASE, ensure_database  # noqa: E402
from bench.seeding_nightly import agreements_seed, nightly_seed  # noqa: E402
from bench.segments import load, nightly_timed, segments_floor, snapshot_detail  # noqa: E402
from collections_app.services.cycle import cycle_run  # noqa: E402
from collections_app.services.policies import policy_ensure_defaults  # noqa: E402
from core.dates import business_today  # noqa: E402
from messaging.tasks import dispatch_due  # noqa: E402
from portfolio.models import OPEN_STAGES  # noqa: E402


class _Rollback(Exception):
    pass


def rolled_back(func) -> float:
    """Seconds `func` takes inside a transaction that is then rolled back."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            func()
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def cycle_floor(as_of: datetime.date) -> float:
    stages = [str(s) for s in OPEN_STAGES]

    def work():
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH moved AS (
                    UPDATE portfolio_debt d
                       SET stage = {LADDER_TARGET_CASE},
                           stage_entered_on = %(as_of)s
                      FROM portfolio_debt old, portfolio_debtor p
                     WHERE old.id = d.id AND p.id = d.debtor_id
                       AND d.stage = ANY(%(stages)s) AND d.balance > 0
                       AND %(as_of)s::date - d.due_date >= 1
                    RETURNING d.id, old.stage AS from_stage, d.stage AS to_stage
                )
                INSERT INTO portfolio_stagechange (debt_id, from_stage, to_stage, transition,
                    business_date, occurred_at, reason, reason_code, reason_params)
                SELECT id, from_stage, to_stage, 'bench', %(as_of)s, now(), '', '', '{{}}'::jsonb
                  FROM moved WHERE from_stage <> to_stage
                """,
                {"as_of": as_of, "stages": stages},
            )

    return rolled_back(work)


def agreements_floor(as_of: datetime.date) -> float:
    def work():
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE agreements_paymentagreement a
                   SET status = 'broken', ended_on = %(as_of)s
                  FROM (SELECT DISTINCT i.agreement_id FROM agreements_instalment i
                          JOIN agreements_paymentagreement p ON p.id = i.agreement_id
                         WHERE i.paid_amount < i.amount
                           AND i.due_date + p.grace_days < %(as_of)s) late
                 WHERE a.id = late.agreement_id AND a.status = 'active'
                """,
                {"as_of": as_of},
            )

    return rolled_back(work)


def dispatch_floor(message_ids: list[int]) -> float:
    """The sandbox provider's own work for these messages: one INSERT each, nothing else."""
    from messaging.channels.sandbox import SandboxBackend
    from messaging.models import Message
    from messaging.rendering import Rendered

    text = "Hola, le recordamos su saldo pendiente. Responda STOP para no recibir más."
    plain = Rendered(subject="", body=text)
    # WhatsApp outside the 24-hour window goes as an approved template, as the provider wants.
    template = Rendered(
        subject="",
        body=text,
        content_sid="HX0123456789abcdef0123456789abcdef",
        content_variables={"1": "Ana"},
    )
    messages = list(Message.objects.filter(id__in=message_ids))
    backend = SandboxBackend()

    def work():
        for message in messages:
            backend.send(message, template if message.channel == "whatsapp" else plain)

    return rolled_back(work)


def first_window_start(as_of: datetime.date) -> datetime.datetime | None:
    """When the day's first planned message is due (None: nothing planned)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(planned_for) FROM messaging_message WHERE business_date = %s"
            " AND status = 'planned'",
            [as_of],
        )
        return cursor.fetchone()[0]


def first_window(as_of: datetime.date, limit: int) -> tuple[list[int], int, str]:
    """The first `limit` messages of the day's first window (its first hour), made due now
    where still ahead; the window's size; a description. Runs on the bench's clock (the
    window's own time: see main)."""
    first = first_window_start(as_of)
    if first is None:
        return [], 0, "no message planned"
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM messaging_message WHERE business_date = %s AND status = 'planned'"
            " AND planned_for < %s + interval '1 hour' ORDER BY planned_for, id",
            [as_of, first],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # Those not due yet at this moment are made due now (the send-time compliance check
        # still judges each message at the bench's clock).
        cursor.execute(
            "UPDATE messaging_message SET planned_for = %s - interval '1 minute'"
            " WHERE id = ANY(%s) AND planned_for > %s - interval '1 minute'",
            [now, ids[:limit], now],
        )
        moved = cursor.rowcount
    note = f"planned from {first:%a %H:%M} UTC, {moved:,} made due"
    return ids[:limit], len(ids), note


class _CycleSteps(logging.Handler):
    """Collects the cycle's DEBUG line of seconds per step (when it logs one)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if "steps:" in message:
            self.lines.append(message.split("steps:", 1)[1].strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=100_000)
    parser.add_argument(
        "--dispatch-max",
        type=int,
        default=2_000,
        help="send at most this many of the first window's messages (the rate is what counts)",
    )
    args = parser.parse_args()
    as_of = business_today()
    logging.getLogger("messaging.channels.sandbox").setLevel(logging.WARNING)
    ensure_database()
    call_command("migrate", verbosity=0)
    print(f"building {args.debts:,} open debts for {as_of} ...", flush=True)
    started = time.perf_counter()
    counts = nightly_seed(args.debts, as_of=as_of)
    counts.update(agreements_seed(as_of=as_of))
    segment_ensure_defaults()
    policy_ensure_defaults()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"  built in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items()),
        flush=True,
    )
    segments_floor(as_of)  # warm the cache as the day's work would
    rows: list[tuple[str, float, float, str]] = []

    def line(name: str, seconds: float, floor: float, extra: str = "") -> None:
        rows.append((name, seconds, floor, extra))
        print(
            f"{name:<11} {seconds:8.2f} s   floor {floor:7.2f} s   ratio "
            f"{seconds / floor if floor else float('nan'):5.1f}x   {extra}   {load()}",
            flush=True,
        )

    # 1 + 2. The cycle, with the agreements step timed inside it.
    floor_cycle = cycle_floor(as_of)
    floor_agreements = agreements_floor(as_of)
    agreements_seconds = []
    original = agreements_cycle.agreements_cycle_day

    def timed_agreements(*a, **kw):
        t = time.perf_counter()
        try:
            return original(*a, **kw)
        finally:
            agreements_seconds.append(time.perf_counter() - t)

    steps = _CycleSteps()
    cycle_logger = logging.getLogger("collections_app.services.cycle")
    cycle_logger.addHandler(steps)
    level = cycle_logger.level
    cycle_logger.setLevel(logging.DEBUG)
    agreements_cycle.agreements_cycle_day = timed_agreements
    try:
        started = time.perf_counter()
        runs = cycle_run(as_of=as_of)
        cycle_seconds = time.perf_counter() - started
    finally:
        agreements_cycle.agreements_cycle_day = original
        cycle_logger.removeHandler(steps)
        cycle_logger.setLevel(level)
    run = runs[-1]
    agreements_time = sum(agreements_seconds)
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM messaging_message GROUP BY 1 ORDER BY 1")
        outbox = ", ".join(f"{n:,} {s}" for s, n in cursor.fetchall())
    line(
        "cycle",
        cycle_seconds - agreements_time,
        floor_cycle,
        f"moved {run.debts_moved:,}, contact actions {run.actions_planned:,}, outbox: {outbox}",
    )
    if steps.lines:
        print(f"{'':<11} [cycle steps: {steps.lines[-1]}]", flush=True)
    if agreements_seconds:
        line("agreements", agreements_time, floor_agreements, "(inside the cycle's transaction)")
    else:
        print("agreements  not timed apart: the cycle no longer calls agreements_cycle_day")

    # 3 + 4. Segments and scores, then the KPI snapshots: one nightly job.
    timed = nightly_timed(as_of)
    nightly, nightly_seconds = timed.run, timed.total
    segments, snapshots = timed.segments, timed.snapshots
    floor_segments, floor_kpi = timed.segments_floor, timed.snapshots_floor
    line(
        "segments",
        segments,
        floor_segments,
        f"segment changes {nightly.segment_changes:,}, scores {nightly.scores_written:,}",
    )
    line(
        "kpi",
        snapshots,
        floor_kpi,
        f"(rest of the nightly job: {nightly_seconds - segments - snapshots:.2f} s)",
    )
    print(f"{'':<11} [snapshots: {snapshot_detail(nightly)}]", flush=True)

    # 5. Dispatch of the day's first window, through beat's task, eagerly in this process.
    # At most --dispatch-max messages are claimed (dispatch_due's limit), however many are due.
    # The phase runs on a clock set to a minute into that window when it is still ahead (the
    # window opens at 08:00 in the debtors' zones, and at 02:00 in Bogotá nothing may be sent,
    # so a real-clock run at night would only measure the send-time check refusing): the bench
    # works at any hour of the day; the clock ticks from there.
    cap = args.dispatch_max
    start = first_window_start(as_of)
    at = max(start, timezone.now()) + datetime.timedelta(minutes=1) if start else timezone.now()
    with time_machine.travel(at, tick=True):
        target, window, note = first_window(as_of, cap)
        batch = settings.CARTERA_DISPATCH_BATCH
        due = _due_ids()
        floor_dispatch = dispatch_floor(target) if target else 0.0
        started = time.perf_counter()
        calls = claimed = 0
        while due and claimed < cap:
            got = dispatch_due.apply(kwargs={"limit": cap - claimed}).get()
            calls += 1
            claimed += got
            if not got:
                break
        dispatch_seconds = time.perf_counter() - started
    note += f", sent on a clock set to {at:%a %H:%M} UTC"
    after = _statuses(due)
    sent = after.get("sent", 0) + after.get("delivered", 0)
    closed = sum(n for s, n in after.items() if s not in ("sent", "delivered", "planned"))
    rate = claimed / dispatch_seconds if dispatch_seconds else 0.0
    line(
        "dispatch",
        dispatch_seconds,
        floor_dispatch,
        f"first window {window:,} messages ({note}); due {len(due):,}, cap {cap:,}: "
        f"{claimed:,} claimed in {calls} dispatch_due call(s), {sent:,} sent, {closed:,} closed "
        f"by the send-time check{_listed(after, ('sent', 'delivered'))}; "
        f"{rate:,.0f} messages/s; Celery eager (in-process), batch {batch}",
    )
    if claimed > cap:
        raise SystemExit(f"dispatch claimed {claimed:,} messages past the cap of {cap:,}")
    if len(due) > claimed and rate:
        print(
            f"{'':<11} all {len(due):,} due at this rate: {len(due) / rate:,.0f} s "
            f"(--dispatch-max {cap:,} capped this run)",
            flush=True,
        )
    if window > len(due) and rate:
        print(
            f"{'':<11} the whole first window at this rate: {window / rate:,.0f} s",
            flush=True,
        )
    total = sum(r[1] for r in rows)
    total_floor = sum(r[2] for r in rows)
    print(
        f"{'total':<11} {total:8.2f} s   floor {total_floor:7.2f} s   ratio "
        f"{total / total_floor:5.1f}x   debts {args.debts:,}   {load()}",
        flush=True,
    )


def _listed(counts: dict[str, int], leave_out) -> str:
    rest = [f"{n:,} {s}" for s, n in sorted(counts.items()) if s not in leave_out]
    return f" ({', '.join(rest)})" if rest else ""


def _due_ids() -> list[int]:
    """Every planned message due now and unclaimed (what dispatch_due may claim)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM messaging_message WHERE status = 'planned' AND planned_for <= %s"
            " AND claimed_at IS NULL ORDER BY planned_for, id",
            [timezone.now()],
        )
        return [row[0] for row in cursor.fetchall()]


def _statuses(ids: list[int]) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, count(*) FROM messaging_message WHERE id = ANY(%s) GROUP BY 1",
            [ids],
        )
        return dict(cursor.fetchall())


if __name__ == "__main__":
    main()
