"""Stage moves and their records, for every path: a person, an event, the daily cycle.

The FSM transitions on Debt say which moves are allowed; the single-object path runs them on
one debt, the bulk path asks their declarations (stage_moves) and moves a set with one UPDATE.
Both record a move through stage_changes_write: the same StageChange and history rows.
The policy version and cycle run of a move are ids of collections_app rows (a layer above).
"""

import datetime
import json
import logging
from collections.abc import Iterable, Sequence

from django.db import connection
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.bulk import temp_table_drop, temp_table_load
from core.fsm import declared_moves
from core.reasons import Reason, reason_encode, reason_split
from portfolio.models import Debt, StageChange

logger = logging.getLogger(__name__)


# The debt fields every stage move writes, besides the stage's own records.
STAGE_FIELDS = ("stage", "stage_entered_at", "stage_entered_on", "updated_at")
# A set of moves, as the bulk path stages it and stage_changes_write reads it.
MOVE_COLUMNS = (
    ("id", "bigint"),
    ("from_stage", "varchar(20)"),
    ("to_stage", "varchar(20)"),
    ("transition", "varchar(40)"),
    ("version_id", "bigint"),
)
# The same with the experiment arm each move is recorded under (a bigint id, or NULL).
ARM_MOVE_COLUMNS = (*MOVE_COLUMNS, ("arm_id", "bigint"))
MOVES_TABLE = "stage_moves"
# One move as a relation of one row, for the single-object path (no temporary table).
ONE_MOVE_SQL = (
    "(SELECT CAST(%s AS bigint) AS id, %s AS from_stage, %s AS to_stage, %s AS transition,"
    " CAST(%s AS bigint) AS version_id)"
)


def stage_moves() -> set[tuple[str, str, str]]:
    """(from, to, transition) for every stage move the Debt state machine declares."""
    return declared_moves(Debt, "stage")


def _history_user_id(actor) -> int | None:
    # simple-history's own rule: the acting user, else the signed-in user of the request.
    if actor is not None:
        return actor.pk
    user = getattr(getattr(HistoricalRecords.context, "request", None), "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def stage_changes_write(
    *,
    moves: str,
    params: Sequence = (),
    actor,
    reason: "str | Reason",
    as_of: datetime.date,
    occurred_at: datetime.datetime,
    cycle_run_id: int | None = None,
    actor_id: int | None = None,
    returning: bool = False,
    with_arms: bool = False,
) -> list[int]:
    """Write the records of stage moves already applied: a StageChange and a history row each.

    The one definition of what a stage move leaves behind, for the single-object path and the
    bulk path alike. `moves` is SQL for a relation with the columns of MOVE_COLUMNS (`params`
    fill its placeholders), of debts that now stand in `to_stage`; the history row ('~') copies
    each debt as it now stands, as simple-history would on save. One INSERT ... SELECT per
    record kind, whatever the number of moves. With `returning`, the StageChange ids.
    A batch job that knows only its user's id passes `actor_id` (and no `actor`).
    `reason` is text a person typed, or a Reason (a code and params, shown in the viewer's
    language); the same code and params go on every row of the set. With `with_arms` the
    relation has ARM_MOVE_COLUMNS' `arm_id` too, recorded as each StageChange's
    experiment_arm_id.
    """
    reason_code, reason_params, reason_free = reason_split(reason)
    if actor is not None:
        actor_id = actor.pk
    history_user_id = actor_id if actor_id is not None else _history_user_id(None)
    history = Debt.history.model._meta.db_table
    columns = [f.column for f in Debt._meta.concrete_fields]
    # Adapted as the ORM stores them.
    occurred_at = connection.ops.adapt_datetimefield_value(occurred_at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history} ({', '.join(columns)}, history_date, history_change_reason,"
            f" history_type, history_user_id)"
            f" SELECT {', '.join(f'd.{c}' for c in columns)}, %s, %s, '~', %s"
            f" FROM {Debt._meta.db_table} d JOIN {moves} m ON m.id = d.id",
            [occurred_at, reason_encode(reason), history_user_id, *params],
        )
        cursor.execute(
            f"INSERT INTO {StageChange._meta.db_table} (debt_id, from_stage, to_stage, transition,"
            f" actor_id, business_date, occurred_at, reason, reason_code, reason_params,"
            f" policy_version_id, cycle_run_id{', experiment_arm_id' if with_arms else ''})"
            f" SELECT m.id, m.from_stage, m.to_stage, m.transition, %s, %s, %s, %s, %s,"
            f" CAST(%s AS jsonb), m.version_id, %s{', m.arm_id' if with_arms else ''}"
            f" FROM {moves} m" + (" RETURNING id" if returning else ""),
            [
                actor_id,
                as_of,
                occurred_at,
                reason_free,
                reason_code,
                json.dumps(reason_params, default=str),
                cycle_run_id,
                *params,
            ],
        )
        return [row[0] for row in cursor.fetchall()] if returning else []


def stage_change_record(
    *,
    debt: Debt,
    from_stage: str,
    transition_name: str,
    actor,
    as_of: datetime.date,
    reason: "str | Reason" = "",
    policy_version_id: int | None = None,
    cycle_run_id: int | None = None,
    update_fields: Sequence[str] = (),
    now: datetime.datetime | None = None,
) -> StageChange:
    """Save `debt` after its FSM transition ran (and `update_fields`), and record the move."""
    now = now or timezone.now()
    debt.stage_entered_at = now
    debt.stage_entered_on = as_of
    # The history row is written by stage_changes_write, exactly as on the bulk path.
    debt.save_without_historical_record(update_fields=[*STAGE_FIELDS, *update_fields])
    (change_id,) = stage_changes_write(
        moves=ONE_MOVE_SQL,
        params=[
            debt.pk,
            from_stage,
            debt.stage,
            transition_name,
            policy_version_id,
        ],
        actor=actor,
        reason=reason,
        as_of=as_of,
        occurred_at=now,
        cycle_run_id=cycle_run_id,
        returning=True,
    )
    return StageChange.objects.get(pk=change_id)


def stage_moves_apply(
    *,
    moves: Iterable[Sequence],
    as_of: datetime.date,
    entered_at: datetime.datetime,
    reason: "str | Reason",
    actor=None,
    cycle_run_id: int | None = None,
    now: datetime.datetime | None = None,
    with_arms: bool = False,
) -> set[int]:
    """Apply many stage moves set-based and record them; returns the ids of the debts moved.

    `moves` are (debt id, from stage, to stage, transition, policy version id), and with
    `with_arms` the experiment arm id (or None) each is recorded under. A move the
    named transition does not declare is refused. The UPDATE only touches debts still in their
    `from` stage: a payment or a person that moved one meanwhile wins, and no record claims it.
    """
    allowed = stage_moves()
    rows, refused = [], 0
    for move in moves:
        if (move[1], move[2], move[3]) in allowed:
            rows.append(move)
        else:
            refused += 1
    if refused:
        logger.warning("%s stage moves refused: the state machine does not declare them", refused)
    if not rows:
        return set()
    now = now or timezone.now()
    columns = ARM_MOVE_COLUMNS if with_arms else MOVE_COLUMNS
    temp_table_load(name=MOVES_TABLE, columns=columns, rows=rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Debt._meta.db_table}"
            f"   SET stage = m.to_stage, stage_entered_at = %s, stage_entered_on = %s,"
            f"       updated_at = %s"
            f"  FROM {MOVES_TABLE} m"
            f" WHERE {Debt._meta.db_table}.id = m.id AND {Debt._meta.db_table}.stage = m.from_stage"
            f" RETURNING {Debt._meta.db_table}.id",
            [
                connection.ops.adapt_datetimefield_value(entered_at),
                as_of,
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        moved = {row[0] for row in cursor.fetchall()}
    if len(moved) != len(rows):
        # Records only for the debts this UPDATE moved.
        temp_table_load(
            name=MOVES_TABLE, columns=columns, rows=(r for r in rows if int(r[0]) in moved)
        )
    if moved:
        stage_changes_write(
            moves=MOVES_TABLE,
            actor=actor,
            reason=reason,
            as_of=as_of,
            occurred_at=now,
            cycle_run_id=cycle_run_id,
            with_arms=with_arms,
        )
    temp_table_drop(name=MOVES_TABLE)
    return moved
