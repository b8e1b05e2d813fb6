"""Stage changes and their records: by people (legal, write-off), events (paid), the cycle.

The FSM transitions on Debt say which moves are allowed; the single-object path runs them on
one debt, the bulk path asks their declarations (stage_moves) and moves a set with one UPDATE.
Both record a move through stage_changes_write: the same StageChange and history rows.
"""

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from simple_history.models import HistoricalRecords

from collections_app.models import StageChange
from collections_app.selectors import open_holds_for_debt, policy_version_for_debt
from core.bulk import temp_table_drop, temp_table_load
from core.dates import days_past_due
from core.exceptions import ApplicationError
from core.fsm import declared_moves
from portfolio.models import Debt, Stage

logger = logging.getLogger(__name__)

# Transitions a person may ask for through the UI or the API. The others belong to the cycle
# (days past due) or to the ledger (paid).
MANUAL_TRANSITIONS = ("escalate_to_legal", "write_off")
REASON_REQUIRED = {"write_off", "escalate_to_legal"}


@dataclass
class LegalCheck:
    allowed: bool
    reasons: list[str] = field(default_factory=list)


def legal_check(*, debt: Debt, as_of: datetime.date) -> LegalCheck:
    """Whether the policy lets this debt enter `legal` on `as_of`, and if not, why not."""
    reasons: list[str] = []
    version = policy_version_for_debt(debt=debt)
    if version is None:
        return LegalCheck(False, [_("No escalation policy applies to this debt.")])
    if debt.stage != Stage.PRE_LEGAL:
        reasons.append(_("Only a debt in pre-legal can go to legal."))
    dpd = days_past_due(due_date=debt.due_date, as_of=as_of) - version.grace_days
    if dpd < version.legal_dpd:
        reasons.append(
            _("It is %(dpd)s days past due; the policy requires %(min)s.")
            % {"dpd": dpd, "min": version.legal_dpd}
        )
    if debt.balance < version.legal_min_balance:
        reasons.append(
            _("The balance %(balance)s is below the policy minimum of %(min)s.")
            % {"balance": debt.balance, "min": version.legal_min_balance}
        )
    notice_by = as_of - datetime.timedelta(days=version.legal_notice_days)
    # The notice counts once it was actually sent (an outbox message), not merely planned.
    from messaging.models import Message

    notice = Message.objects.filter(
        covered__debt=debt,
        stage=Stage.PRE_LEGAL,
        channel__in=("email", "letter"),
        status__in=(Message.Status.SENT, Message.Status.DELIVERED),
        business_date__lte=notice_by,
    ).exists()
    if not notice:
        reasons.append(
            _("A pre-legal notice must have been sent at least %(days)s days before.")
            % {"days": version.legal_notice_days}
        )
    if open_holds_for_debt(debt=debt).exists():
        reasons.append(_("The debt is on hold."))
    return LegalCheck(not reasons, reasons)


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
    reason: str,
    as_of: datetime.date,
    occurred_at: datetime.datetime,
    cycle_run=None,
    returning: bool = False,
) -> list[int]:
    """Write the records of stage moves already applied: a StageChange and a history row each.

    The one definition of what a stage move leaves behind, for the single-object path and the
    bulk path alike. `moves` is SQL for a relation with the columns of MOVE_COLUMNS (`params`
    fill its placeholders), of debts that now stand in `to_stage`; the history row ('~') copies
    each debt as it now stands, as simple-history would on save. One INSERT ... SELECT per
    record kind, whatever the number of moves. With `returning`, the StageChange ids.
    """
    history = Debt.history.model._meta.db_table
    columns = [f.column for f in Debt._meta.concrete_fields]
    # Stored as the ORM stores them (SQLite keeps datetimes as naive UTC text).
    occurred_at = connection.ops.adapt_datetimefield_value(occurred_at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history} ({', '.join(columns)}, history_date, history_change_reason,"
            f" history_type, history_user_id)"
            f" SELECT {', '.join(f'd.{c}' for c in columns)}, %s, %s, '~', %s"
            f" FROM {Debt._meta.db_table} d JOIN {moves} m ON m.id = d.id",
            [occurred_at, reason, _history_user_id(actor), *params],
        )
        cursor.execute(
            f"INSERT INTO {StageChange._meta.db_table} (debt_id, from_stage, to_stage, transition,"
            f" actor_id, business_date, occurred_at, reason, policy_version_id, cycle_run_id)"
            f" SELECT m.id, m.from_stage, m.to_stage, m.transition, %s, %s, %s, %s,"
            f" m.version_id, %s FROM {moves} m" + (" RETURNING id" if returning else ""),
            [
                actor.pk if actor is not None else None,
                as_of,
                occurred_at,
                reason,
                cycle_run.pk if cycle_run is not None else None,
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
    reason: str = "",
    policy_version=None,
    cycle_run=None,
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
            policy_version.pk if policy_version is not None else None,
        ],
        actor=actor,
        reason=reason,
        as_of=as_of,
        occurred_at=now,
        cycle_run=cycle_run,
        returning=True,
    )
    return StageChange.objects.get(pk=change_id)


def stage_moves_apply(
    *,
    moves: Iterable[Sequence],
    as_of: datetime.date,
    entered_at: datetime.datetime,
    reason: str,
    actor=None,
    cycle_run=None,
    now: datetime.datetime | None = None,
) -> set[int]:
    """Apply many stage moves set-based and record them; returns the ids of the debts moved.

    `moves` are (debt id, from stage, to stage, transition, policy version id). A move the
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
    temp_table_load(name=MOVES_TABLE, columns=MOVE_COLUMNS, rows=rows)
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
            name=MOVES_TABLE, columns=MOVE_COLUMNS, rows=(r for r in rows if int(r[0]) in moved)
        )
    if moved:
        stage_changes_write(
            moves=MOVES_TABLE,
            actor=actor,
            reason=reason,
            as_of=as_of,
            occurred_at=now,
            cycle_run=cycle_run,
        )
    temp_table_drop(name=MOVES_TABLE)
    return moved


def _may(bound_method, user) -> bool:
    # django_fsm.has_transition_perm also evaluates the conditions; here only the permission
    # is asked, so "not allowed yet" and "not yours to do" get their own messages.
    meta = bound_method._django_fsm
    debt = bound_method.__self__
    return meta.has_transition_perm(debt, debt.stage, user)


def available_transitions(*, debt: Debt, user, as_of: datetime.date) -> list[dict]:
    """The manual transitions of this debt, each with whether the user may run it and why not."""
    debt._legal_check = legal_check(debt=debt, as_of=as_of)
    result = []
    for name in MANUAL_TRANSITIONS:
        method = getattr(debt, name)
        meta = method._django_fsm
        if not meta.has_transition(debt.stage):
            continue
        reasons = []
        if not _may(method, user):
            reasons.append(_("Only a manager may do this."))
        if name == "escalate_to_legal":
            reasons.extend(debt._legal_check.reasons)
        result.append(
            {
                "transition": name,
                "target": meta.get_transition(debt.stage).target,
                "allowed": not reasons,
                "reasons": reasons,
                "reason_required": name in REASON_REQUIRED,
            }
        )
    return result


@transaction.atomic
def debt_transition(
    *, debt: Debt, transition_name: str, user, as_of: datetime.date, reason: str = ""
) -> StageChange:
    """Run a manual transition (legal, write-off) after checking permission and policy."""
    if transition_name not in MANUAL_TRANSITIONS:
        raise ApplicationError(
            _("Unknown transition %(name)s.") % {"name": transition_name}, field="transition"
        )
    reason = (reason or "").strip()
    if transition_name in REASON_REQUIRED and not reason:
        raise ApplicationError(_("Say why: a reason is required."), field="reason")
    debt = Debt.objects.select_for_update().get(pk=debt.pk)
    method = getattr(debt, transition_name)
    if not method._django_fsm.has_transition(debt.stage):
        raise ApplicationError(
            _("A debt in %(stage)s cannot do that.") % {"stage": debt.get_stage_display()},
            field="transition",
        )
    if not _may(method, user):
        raise ApplicationError(_("Only a manager may do this."), field="transition")
    if transition_name == "escalate_to_legal":
        debt._legal_check = legal_check(debt=debt, as_of=as_of)
        if not debt._legal_check.allowed:
            raise ApplicationError(" ".join(debt._legal_check.reasons), field="transition")
    if not can_proceed(method):
        raise ApplicationError(_("This transition is not possible now."), field="transition")
    from_stage = debt.stage
    method()
    return stage_change_record(
        debt=debt,
        from_stage=from_stage,
        transition_name=transition_name,
        actor=user,
        as_of=as_of,
        reason=reason,
        policy_version=policy_version_for_debt(debt=debt),
    )
