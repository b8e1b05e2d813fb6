"""Benchmark the daily cycle on PostgreSQL.

    .venv/bin/python bench/cycle.py --debts 100000

Builds N open debts (all `current`, due dates spread over 0-400 days before the business
date, so the first cycle moves most of them), three per debtor, debtors spread over Colombia,
Mexico and the US with the demo's channel mix and consent (bench.seeding), then times, each
beside a floor measured in the same run:
  * the first cycle (load, decide with the state machine's pairs, move, record, plan contact
    actions, plan messages) beside the stage floor: one `UPDATE ... CASE` setting every
    debt's stage and the stage-log `INSERT ... SELECT` (one statement, rolled back);
  * its message planning beside the outbox floor: one `INSERT ... SELECT` inserting as many
    outbox rows as the cycle planned (rolled back), and the planning's steps (`planning
    steps:`, messaging's PlanResult.steps: its profile, printed by every run);
  * a second cycle for the same date (the idempotent rerun; nothing changes),
  * the next day's cycle (the steady state: few debts cross a threshold) beside the stage
    floor for that day, and its message planning beside that day's outbox floor,
and checks that the cycle's stages equal the SQL's. Every timed transaction checks its
constraints as rows arrive (SET CONSTRAINTS ALL IMMEDIATE), floors included. Uses
DATABASE_URL (default: a `cartera_bench` database on the local PostgreSQL), which it migrates
and empties.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.seeding import (  # noqa: E402
    LADDER_TARGET_CASE,
    contact_points_seed,
    debts_seed,
    ensure_database,
)
from collections_app.services.cycle import cycle_run_date  # noqa: E402
from collections_app.services.policies import policy_ensure_defaults  # noqa: E402
from core.bulk import phases_text  # noqa: E402

AS_OF = datetime.date(2026, 6, 1)
DEBTS_PER_DEBTOR = 3
OPEN = "('current', 'friendly_reminder', 'firm_notice', 'pre_legal', 'legal')"
TARGET_SQL = f"""
    CREATE TEMP TABLE bench_expected AS
    SELECT d.id, {LADDER_TARGET_CASE} AS target
      FROM portfolio_debt d JOIN portfolio_debtor p ON p.id = d.debtor_id
     WHERE d.stage IN {OPEN}
"""
# The stage floor: the same class of work as the cycle's moves, in one statement: every open
# debt's stage set by an UPDATE ... CASE (forward moves and payoffs, as the default policy
# does) and a stage-log row per moved debt by INSERT ... SELECT.
STAGE_FLOOR_SQL = f"""
    WITH target AS (
        SELECT d.id, d.stage AS from_stage, {LADDER_TARGET_CASE} AS to_stage
          FROM portfolio_debt d JOIN portfolio_debtor p ON p.id = d.debtor_id
         WHERE d.stage IN {OPEN}
    ), moved AS (
        UPDATE portfolio_debt d
           SET stage = t.to_stage, stage_entered_on = %(as_of)s, stage_entered_at = now(),
               updated_at = now()
          FROM target t
         WHERE d.id = t.id AND t.to_stage <> t.from_stage
           AND (t.to_stage = 'paid' OR array_position(
                    ARRAY['current', 'friendly_reminder', 'firm_notice', 'pre_legal'],
                    t.to_stage::text) > array_position(
                    ARRAY['current', 'friendly_reminder', 'firm_notice', 'pre_legal'],
                    t.from_stage::text))
        RETURNING d.id, t.from_stage, t.to_stage
    )
    INSERT INTO portfolio_stagechange (debt_id, from_stage, to_stage, transition, business_date,
        occurred_at, reason, reason_code, reason_params)
    SELECT m.id, m.from_stage, m.to_stage, 'floor', %(as_of)s, now(), '', 'floor', '{{}}'
      FROM moved m
"""
# The outbox floor: as many outbox rows as the cycle planned, one INSERT ... SELECT (copied
# from the planned rows themselves, new keys).
OUTBOX_FLOOR_SQL = """
    INSERT INTO messaging_message (created_at, updated_at, channel, template, purpose, stage,
        language, business_date, "to", planned_for, status, suppression_rule,
        suppression_reason, suppression_code, suppression_params, subject, body,
        provider_message_id, attempts, last_error, idempotency_key, creditor_id, debtor_id)
    SELECT now(), now(), m.channel, m.template, m.purpose, m.stage, m.language,
           m.business_date, m."to", m.planned_for, m.status, m.suppression_rule,
           m.suppression_reason, m.suppression_code, m.suppression_params, '', '', '', 0, '',
           'floor:' || m.id, m.creditor_id, m.debtor_id
      FROM messaging_message m
     WHERE m.business_date = %(as_of)s
"""


class _Rollback(Exception):
    pass


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def floor(sql: str, params: dict) -> tuple[float, int]:
    """Seconds and rows of one statement in a transaction that checks constraints as rows
    arrive, then rolled back (and the table vacuumed, untimed) so the cycle finds it as
    before."""
    seconds, rows = 0.0, 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.rowcount
            seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE portfolio_debt")
        cursor.execute("VACUUM ANALYZE portfolio_stagechange")
        cursor.execute("VACUUM ANALYZE messaging_message")
    return seconds, rows


def scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debts", type=int, default=100_000)
    args = parser.parse_args()
    ensure_database()
    call_command("migrate", verbosity=0)
    print(f"building {args.debts:,} open debts, {DEBTS_PER_DEBTOR} per debtor ...", flush=True)

    def build():
        debts_seed(
            args.debts,
            as_of=AS_OF,
            balance="cycle",
            debts_per_debtor=DEBTS_PER_DEBTOR,
            country_mix=True,
        )
        points = contact_points_seed()
        policy_ensure_defaults()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        return points

    build_seconds, points = timed(build)
    debtors = scalar("SELECT count(*) FROM portfolio_debtor")
    consented = scalar("SELECT count(*) FROM portfolio_contactpoint WHERE consent_granted")
    print(
        f"  built in {build_seconds:.1f} s: {debtors:,} debtors, {points:,} contact points "
        f"({consented:,} consented)"
    )
    with connection.cursor() as cursor:
        cursor.execute(TARGET_SQL, {"as_of": AS_OF})

    stage_floor, floor_moves = floor(STAGE_FLOOR_SQL, {"as_of": AS_OF})
    print(f"stage floor (UPDATE ... CASE + log INSERT ... SELECT): {stage_floor:8.2f} s  "
          f"{floor_moves:,} moves  {load()}", flush=True)  # fmt: skip
    cycle_seconds, first = timed(lambda: cycle_run_date(business_date=AS_OF))
    run = first.run
    messages = scalar("SELECT count(*) FROM messaging_message WHERE business_date = %s", [AS_OF])
    by_status = dict(
        _rows(
            "SELECT status, count(*) FROM messaging_message WHERE business_date = %s "
            "GROUP BY status ORDER BY status",
            [AS_OF],
        )
    )
    changes = scalar("SELECT count(*) FROM portfolio_stagechange")
    mismatches = scalar(
        "SELECT count(*) FROM portfolio_debt d JOIN bench_expected e USING (id) "
        "WHERE d.stage <> e.target"
    )
    outbox_floor, floor_rows = floor(OUTBOX_FLOOR_SQL, {"as_of": AS_OF})
    planning = first.phases.get("plan messages", 0.0)
    print(f"debts: {args.debts:,}")
    print(
        f"cycle, first run:                    {cycle_seconds:8.2f} s  "
        f"floor {stage_floor:.2f} s  ratio {cycle_seconds / stage_floor:.1f}x  {load()}"
    )
    print(
        f"  moved {run.debts_moved:,}, contact actions {run.actions_planned:,}, "
        f"stage-change rows {changes:,}, messages {messages:,} {by_status}"
    )
    print(f"  phases: {phases_text(first.phases, digits=1)}")
    print(
        f"message planning, first run:         {planning:8.2f} s  "
        f"outbox floor {outbox_floor:.2f} s ({floor_rows:,} rows)  "
        f"ratio {planning / outbox_floor:.1f}x  {load()}"
    )
    print(f"  planning steps: {phases_text(first.planning)}")
    rerun_seconds, rerun = timed(lambda: cycle_run_date(business_date=AS_OF))
    print(
        f"cycle, rerun same date (no-op):      {rerun_seconds:8.2f} s  "
        f"moved {rerun.run.debts_moved:,}  {load()}"
    )
    print(f"  debts decided {rerun.decided:,}; phases: {phases_text(rerun.phases, digits=1)}")
    next_day = AS_OF + datetime.timedelta(days=1)
    next_floor, next_floor_moves = floor(STAGE_FLOOR_SQL, {"as_of": next_day})
    next_seconds, second = timed(lambda: cycle_run_date(business_date=next_day))
    next_messages = scalar(
        "SELECT count(*) FROM messaging_message WHERE business_date = %s", [next_day]
    )
    print(
        f"cycle, next day (steady state):      {next_seconds:8.2f} s  "
        f"floor {next_floor:.2f} s ({next_floor_moves:,} moves)  "
        f"ratio {next_seconds / next_floor:.1f}x  {load()}"
    )
    print(
        f"  moved {second.run.debts_moved:,}, actions {second.run.actions_planned:,}, "
        f"messages {next_messages:,}, debts decided {second.decided:,}; "
        f"phases: {phases_text(second.phases, digits=1)}"
    )
    next_outbox_floor, next_floor_rows = floor(OUTBOX_FLOOR_SQL, {"as_of": next_day})
    next_planning = second.phases.get("plan messages", 0.0)
    print(
        f"message planning, next day:          {next_planning:8.2f} s  "
        f"outbox floor {next_outbox_floor:.2f} s ({next_floor_rows:,} rows)  "
        f"ratio {next_planning / next_outbox_floor:.1f}x  {load()}"
    )
    print(f"  planning steps: {phases_text(second.planning)}")
    print(f"stages differing from the SQL's targets: {mismatches}")
    if mismatches:
        sys.exit(1)


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


if __name__ == "__main__":
    main()
