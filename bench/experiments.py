"""Benchmark assigning a book's debtors to a running experiment's arms on PostgreSQL.

    .venv/bin/python bench/experiments.py --debtors 1000000

Builds N debtors with three open debts each (bench.seeding: debtors spread over Colombia,
Mexico and the US), optionally a segment holding every other debt (`--segment`; each debtor
keeps one of their three in it, so the same debtors are assigned, through the segment's join),
and a running experiment on the creditor with three arms (champion 80 %, challenger 10 %, hold-out
10 %), then times `experiments.services.assignment.assignments_refresh` (what starting an
experiment and the nightly segmentation's hook call):
  * the first assignment (every debtor of the book, or of the segment, gets a row),
  * a refresh the next day with nothing to change (nobody joins or leaves),
each beside a floor measured in the same run just before it: one `INSERT ... SELECT` of the
same debtors (the distinct debtors of the creditor's open debts, or of the segment's), in
debtor order, into an unlogged copy of the assignment table's shape and indexes (no foreign
keys), without the hash or the arms' ranges (rolled back). Checks that every debtor's arm in
the table is the one Python's `bucket_of` gives. Prints the load average (os.getloadavg()) with
the figures: the machine may be shared. Uses DATABASE_URL (default: a `cartera_bench_exp`
database), which it migrates and empties.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartera_bench_exp")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from analytics.models import SegmentDefinition  # noqa: E402
from bench.seeding import debts_seed, ensure_database  # noqa: E402
from experiments.models import (  # noqa: E402
    Arm,
    ArmRole,
    Assignment,
    Experiment,
    ExperimentStatus,
    Subject,
)
from experiments.services.assignment import (  # noqa: E402
    _members_sql,
    arm_for_bucket,
    assignments_refresh,
    bucket_of,
)
from portfolio.models import Creditor  # noqa: E402

AS_OF = datetime.date(2026, 6, 1)
DEBTS_PER_DEBTOR = 3
ARMS = [("champion", ArmRole.CHAMPION, 80), ("challenger", ArmRole.CHALLENGER, 10),
        ("holdout", ArmRole.HOLDOUT, 10)]  # fmt: skip


class _Rollback(Exception):
    pass


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def experiment_build(*, segment: bool) -> Experiment:
    """A running experiment on the bench creditor (bench data: straight through the ORM, no
    manager to ask), with a segment of about half of the debts when told."""
    creditor = Creditor.objects.get(code="bench")
    Experiment.objects.filter(creditor=creditor).delete()
    SegmentDefinition.objects.filter(creditor=creditor).delete()
    definition = None
    if segment:
        definition = SegmentDefinition.objects.create(
            creditor=creditor, code="bench-half", name="Bench half", priority=10
        )
        with connection.cursor() as cursor:
            # Every other debt: each debtor keeps one of their three consecutive debts in it.
            cursor.execute(
                "INSERT INTO analytics_debtsegment (debt_id, segment_id, assigned_on)"
                " SELECT id, %s, %s FROM portfolio_debt WHERE creditor_id = %s AND id %% 2 = 0",
                [definition.pk, AS_OF, creditor.pk],
            )
            cursor.execute("ANALYZE analytics_debtsegment")
    experiment = Experiment.objects.create(
        creditor=creditor,
        segment=definition,
        name="Bench",
        subject=Subject.SEND_TIME,
        primary_metric="cure_rate",
        starts_on=AS_OF,
        ends_on=AS_OF + datetime.timedelta(days=60),
        hash_key=f"bench{random.getrandbits(64):016x}",
    )
    start = 0
    for code, role, weight in ARMS:
        end = start + weight * 100
        Arm.objects.create(
            experiment=experiment,
            code=code,
            name=code,
            role=role,
            weight=weight,
            bucket_from=start,
            bucket_to=end,
            send_from_hour=10 if role == ArmRole.CHALLENGER else None,
            send_to_hour=14 if role == ArmRole.CHALLENGER else None,
        )
        start = end
    Experiment.objects.filter(pk=experiment.pk).update(status=ExperimentStatus.RUNNING)
    experiment.refresh_from_db()
    return experiment


def floor(experiment: Experiment) -> tuple[float, int]:
    """Seconds and rows of one INSERT ... SELECT of the experiment's debtors, in debtor order,
    into an unlogged copy of the assignment table (its columns and indexes, no foreign keys),
    without the hash; with the session settings the job uses; rolled back."""
    members, params = _members_sql(experiment)
    first_arm = experiment.arms.order_by("bucket_from").first()
    table = Assignment._meta.db_table
    seconds, rows = 0.0, 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '128MB'")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(
                f"CREATE UNLOGGED TABLE bench_assignment_floor (LIKE {table} INCLUDING ALL)"
            )
            started = time.perf_counter()
            cursor.execute(
                f"""
                INSERT INTO bench_assignment_floor
                       (experiment_id, arm_id, creditor_id, debtor_id, bucket, assigned_on,
                        left_on)
                SELECT {experiment.pk}, {first_arm.pk}, {experiment.creditor_id}, m.debtor_id,
                       0, %s::date, NULL
                  FROM ({members}) m
                 ORDER BY m.debtor_id
                """,
                [AS_OF, *params],
            )
            rows = cursor.rowcount
            seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return seconds, rows


# The refresh's statements as its breakdown names them (first words of each statement).
STEPS = {
    "CREATE TEMP": "members",
    "ALTER TABLE": "members",
    "ANALYZE": "members",
    "UPDATE experiments_assignment a SET left_on = %s": "leavers",
    "UPDATE experiments_assignment a SET left_on = NULL": "coming back",
    "INSERT": "insert",
}


def refresh_timed(experiment: Experiment, as_of: datetime.date) -> tuple[float, dict, dict]:
    """Seconds of the refresh (commit included), its counts, and seconds per step; what the
    statements leave to the commit is the foreign keys' checks (deferred until then)."""
    steps: dict[str, float] = {}

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            text = " ".join(sql.split())
            step = next((name for head, name in STEPS.items() if text.startswith(head)), "other")
            steps[step] = steps.get(step, 0.0) + time.perf_counter() - started

    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        counts = assignments_refresh(experiment=experiment, as_of=as_of)
    seconds = time.perf_counter() - started
    steps["commit (foreign keys)"] = seconds - sum(steps.values())
    return seconds, counts, steps


def measured(label: str, experiment: Experiment, as_of: datetime.date) -> dict:
    floor_seconds, floor_rows = floor(experiment)
    seconds, counts, steps = refresh_timed(experiment, as_of)
    print(
        f"{'floor':<13} {floor_seconds:7.2f} s  {floor_rows:,} rows (one INSERT ... SELECT)  "
        f"{load()}",
        flush=True,
    )
    print(
        f"{label:<13} {seconds:7.2f} s  ratio {seconds / floor_seconds:5.1f}x  "
        f"joined {counts['joined']:,}, left {counts['left']:,}  {load()}",
        flush=True,
    )
    print(f"{'':<13} [{', '.join(f'{k} {v:.2f}' for k, v in steps.items())}]", flush=True)
    return counts


def check(experiment: Experiment, sample: int = 5000) -> None:
    """Every sampled debtor's arm in the table is the one the Python hash gives."""
    arms = list(experiment.arms.order_by("bucket_from"))
    rows = list(
        Assignment.objects.filter(experiment=experiment)
        .order_by("?")
        .values_list("debtor_id", "arm_id")[:sample]
    )
    wrong = [
        debtor
        for debtor, arm in rows
        if arm_for_bucket(arms, bucket_of(experiment.hash_key, debtor)).pk != arm
    ]
    assert not wrong, f"{len(wrong)} debtors in the wrong arm"
    shares = dict(
        Assignment.objects.filter(experiment=experiment)
        .values_list("arm__code")
        .annotate(n=django.db.models.Count("id"))
    )
    total = sum(shares.values())
    split = ", ".join(f"{code} {n:,} ({100 * n / total:.1f} %)" for code, n in shares.items())
    print(f"arms: {split}; {len(rows):,} sampled debtors in the arm bucket_of gives", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debtors", type=int, default=1_000_000)
    parser.add_argument("--debts-per-debtor", type=int, default=DEBTS_PER_DEBTOR)
    parser.add_argument("--segment", action="store_true", help="assign a segment's debtors")
    args = parser.parse_args()
    ensure_database()
    call_command("migrate", verbosity=0)
    debts = args.debtors * args.debts_per_debtor
    print(
        f"building {args.debtors:,} debtors, {args.debts_per_debtor} open debts each ...",
        flush=True,
    )
    started = time.perf_counter()
    debts_seed(
        debts, as_of=AS_OF, balance="flat", debts_per_debtor=args.debts_per_debtor,
        country_mix=True,
    )  # fmt: skip
    experiment = experiment_build(segment=args.segment)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"  built in {time.perf_counter() - started:.1f} s: "
        f"{scalar('SELECT count(*) FROM portfolio_debtor'):,} debtors, "
        f"{scalar('SELECT count(*) FROM portfolio_debt'):,} debts"
        + (" (segment: every other debt)" if args.segment else ""),
        flush=True,
    )
    # Warm the cache the way the nightly hook finds it (the segmentation just read the debts).
    floor(experiment)
    measured("assign first", experiment, AS_OF)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Assignment._meta.db_table}")
    measured("assign again", experiment, AS_OF + datetime.timedelta(days=1))
    check(experiment)
    print(f"debtors: {args.debtors:,}  {load()}")


if __name__ == "__main__":
    main()
