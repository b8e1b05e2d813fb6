"""Who is in which arm: a hash of the experiment's key and the debtor's id, written set-based.

A debtor's bucket is the first 32 bits of md5("<hash_key>:<debtor id>") modulo BUCKETS, the same
in SQL (`BUCKET_SQL`) and in Python (`bucket_of`); each arm owns a range of buckets sized by its
share. Nothing about the person goes into it, so no protected attribute can steer the split,
and recomputing the segment cannot move anyone: a debtor who leaves and comes back hashes to
the same arm.

`assignments_refresh` runs when an experiment starts and after every nightly segmentation
(analytics.hooks.segments_written): debtors with a debt of the creditor in the segment (any
open debt of the creditor for a whole-book experiment) join; those with none left leave
(`left_on`). A debtor already in another running experiment of the same creditor is left to it.
Results count every debtor ever assigned (intention to treat), whether they left or not.
"""

import datetime
import hashlib

from django.db import connection, transaction

from experiments.models import BUCKETS, Arm, Assignment, Experiment, ExperimentStatus
from portfolio.models import OPEN_STAGES, Debt

# An experiment's refreshes are serialised per creditor: two never race for the same debtors.
ASSIGN_LOCK_KEY = 73_114_000

# For a statement run with parameters (its modulo is written %% for the driver).
BUCKET_SQL = (
    "((('x' || substr(md5({key} || ':' || {debtor}::text), 1, 8))::bit(32)::bigint)"
    f" %% {BUCKETS})"
)


def bucket_of(hash_key: str, debtor_id: int) -> int:
    """The bucket of a debtor in an experiment (what BUCKET_SQL computes in the database)."""
    digest = hashlib.md5(f"{hash_key}:{debtor_id}".encode(), usedforsecurity=False).hexdigest()
    return int(digest[:8], 16) % BUCKETS


def arm_for_bucket(arms: list[Arm], bucket: int) -> Arm:
    for arm in arms:
        if arm.bucket_from <= bucket < arm.bucket_to:
            return arm
    raise ValueError(f"no arm owns bucket {bucket}")


def _members_sql(experiment: Experiment) -> tuple[str, list]:
    """SQL of the debtors the experiment covers today, and its parameters."""
    debt = Debt._meta.db_table
    stages = [str(stage) for stage in OPEN_STAGES]
    marks = ", ".join(["%s"] * len(stages))
    if experiment.segment_id is None:
        return (
            f"SELECT DISTINCT d.debtor_id FROM {debt} d"
            f" WHERE d.creditor_id = %s AND d.stage IN ({marks})",
            [experiment.creditor_id, *stages],
        )
    from analytics.models import DebtSegment

    return (
        f"SELECT DISTINCT d.debtor_id FROM {debt} d"
        f" JOIN {DebtSegment._meta.db_table} ds ON ds.debt_id = d.id"
        f" WHERE d.creditor_id = %s AND ds.segment_id = %s AND d.stage IN ({marks})",
        [experiment.creditor_id, experiment.segment_id, *stages],
    )


def assignments_refresh(*, experiment: Experiment, as_of: datetime.date) -> dict[str, int]:
    """Join the segment's new debtors to their arms and mark those who left; {"joined", "left"}.

    Four statements whatever the size of the segment: the members into a temp table, each
    flagged when already live in an experiment of the creditor (this one or another) or back
    in this one after leaving it; one UPDATE of the leavers; one UPDATE of those coming back
    (same row, same arm); one INSERT … SELECT of the new ones."""
    table = Assignment._meta.db_table
    arm_table = Arm._meta.db_table
    members, params = _members_sql(experiment)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [ASSIGN_LOCK_KEY, experiment.creditor_id]
        )
        # A million members hash-join in memory; JIT compiling the statements costs more than
        # they take (core.bulk.bulk_session_tune's reasons; its deferred-constraint and commit
        # settings would outlive this in the caller's transaction, so not those).
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("DROP TABLE IF EXISTS experiment_members")
        # Who is live somewhere, or has a row here, is looked up before the writes and not by a
        # NOT EXISTS or ON CONFLICT inside the INSERT: there the planner, seeing an empty
        # assignment table, scanned it once per member, and every scan also walked the rows the
        # INSERT had just added (invisible to it but in the heap): 100k debtors took a minute.
        # Only a refresh makes a debtor live or brings one back, and refreshes of a creditor
        # wait for each other's advisory lock: no row the flags miss can appear before commit.
        cursor.execute(
            f"""
            CREATE TEMP TABLE experiment_members ON COMMIT DROP AS
            SELECT m.debtor_id, live.debtor_id IS NOT NULL AS live,
                   here.debtor_id IS NOT NULL AS here
              FROM ({members}) m
              LEFT JOIN {table} live ON live.creditor_id = %s AND live.debtor_id = m.debtor_id
                   AND live.left_on IS NULL
              LEFT JOIN {table} here ON here.experiment_id = %s AND here.debtor_id = m.debtor_id
            """,
            [*params, experiment.creditor_id, experiment.pk],
        )
        cursor.execute("ALTER TABLE experiment_members ADD PRIMARY KEY (debtor_id)")
        cursor.execute("ANALYZE experiment_members")
        # Leavers first: this reads only the rows that were live before today's joiners.
        cursor.execute(
            f"""
            UPDATE {table} a SET left_on = %s
             WHERE a.experiment_id = %s AND a.left_on IS NULL
               AND NOT EXISTS (SELECT 1 FROM experiment_members m WHERE m.debtor_id = a.debtor_id)
            """,
            [as_of, experiment.pk],
        )
        left = cursor.rowcount
        # Back in the segment, free of any other experiment: the same row, so the same arm.
        cursor.execute(
            f"""
            UPDATE {table} a SET left_on = NULL
              FROM experiment_members m
             WHERE a.experiment_id = %s AND a.debtor_id = m.debtor_id AND m.here AND NOT m.live
            """,
            [experiment.pk],
        )
        joined = cursor.rowcount
        bucket = BUCKET_SQL.format(key="%(key)s", debtor="m.debtor_id")
        # In debtor order: most of the table's indexes lead with the debtor (after a constant
        # experiment or creditor), so each row lands on the rightmost leaf page instead of a
        # random one, and the foreign-key checks at commit read the debtors in order: a
        # million rows go in about twice as fast.
        cursor.execute(
            f"""
            INSERT INTO {table}
                   (experiment_id, arm_id, creditor_id, debtor_id, bucket, assigned_on, left_on)
            SELECT %(experiment)s, arm.id, %(creditor)s, m.debtor_id, m.bucket, %(as_of)s, NULL
              FROM (SELECT debtor_id, {bucket} AS bucket
                      FROM experiment_members m WHERE NOT m.live AND NOT m.here) m
              JOIN {arm_table} arm ON arm.experiment_id = %(experiment)s
                   AND m.bucket >= arm.bucket_from AND m.bucket < arm.bucket_to
             ORDER BY m.debtor_id
            """,
            {
                "experiment": experiment.pk,
                "creditor": experiment.creditor_id,
                "as_of": as_of,
                "key": experiment.hash_key,
            },
        )
        joined += cursor.rowcount
    return {"joined": joined, "left": left}


def assignments_release(*, experiment: Experiment, as_of: datetime.date) -> int:
    """An experiment ended: its debtors leave it (their rows stay, for the results)."""
    return Assignment.objects.filter(experiment=experiment, left_on__isnull=True).update(
        left_on=as_of
    )


def running_refresh(*, as_of: datetime.date) -> dict[int, dict[str, int]]:
    """Refresh every running experiment (after the nightly segmentation)."""
    return {
        experiment.pk: assignments_refresh(experiment=experiment, as_of=as_of)
        for experiment in Experiment.objects.filter(status=ExperimentStatus.RUNNING).order_by(
            "started_at", "pk"
        )
    }
