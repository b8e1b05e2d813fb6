"""The daily cycle: days past due → stage moves → contact actions, set-based, for a business date.

One business date is one transaction: a crash leaves nothing half applied and a rerun finishes
the job. Dates are processed in order; missed dates are replayed, earlier dates are refused.
"""

import datetime
import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from collections_app import reasons
from collections_app.hooks import debt_segment_codes_sql
from collections_app.models import (
    CADENCE_STAGES,
    LADDER,
    CycleRun,
    CycleRunCreditor,
    EscalationPolicyVersion,
)
from collections_app.selectors.escalation import policy_resolver, policy_version_for_debt
from collections_app.services.cycle_arms import (
    ARM_COLUMNS,
    ARM_SELECT_SQL,
    arm_policies_apply,
    arms_frame,
    arms_join_sql,
    arms_relation,
    run_arms_record,
)
from collections_app.services.cycle_bureau import bureau_notices_plan
from collections_app.services.cycle_candidates import candidate_debts_load, open_debt_counts
from collections_app.services.cycle_us import CAP_STAGES, escalation_caps, validation_notices_plan
from collections_app.services.fees import fees_charge
from collections_app.services.notice_actions import ON_CONFLICT_SQL
from collections_app.services.policies import policy_ensure_defaults
from core.bulk import (
    arrow_frame,
    batch_planner_tune,
    days_between_sql,
    insert_into_empty,
    phase_timer,
    phases_text,
    tables_analyze_after_bulk,
    temp_table_load_frame,
)
from core.dates import days_past_due
from core.exceptions import ApplicationError
from core.fsm import declared_moves
from core.reasons import Reason
from ledger.services.accrual import accrual_run
from messaging.models import ContactAction, Message, MessageDebt
from portfolio.models import CLOSED_STAGES, OPEN_STAGES, Debt, Stage
from portfolio.services.holds import HOLD_IN_FORCE_SQL
from portfolio.services.stages import stage_moves_apply

logger = logging.getLogger(__name__)

# Arbitrary constant key for the advisory lock that keeps two cycles from running at once.
CYCLE_LOCK_KEY = 81_726_354
RANK = {stage: index for index, stage in enumerate(LADDER)}
RANK.update(dict.fromkeys(CLOSED_STAGES, 100))


def automatic_transitions() -> dict[tuple[str, str], str]:
    """The (from, to) stage pairs the cycle may apply, read from the state machine itself."""
    return {
        (source, target): name
        for source, target, name in declared_moves(Debt, "stage", custom="automatic")
    }


@dataclass
class DayResult:
    run: CycleRun
    moves: pd.DataFrame
    seconds: float
    # Seconds per step of the day (benchmarks print them; DEBUG logs them).
    phases: dict[str, float] = field(default_factory=dict)
    # Seconds per step of its message planning (messaging's PlanResult.steps).
    planning: dict[str, float] = field(default_factory=dict)
    # The open debts loaded and decided in pandas (the candidates, or every one).
    decided: int = 0
    # Cadence actions not planned because the debt's debtor is in an experiment's hold-out.
    holdout_skipped: int = 0


def last_completed_date() -> datetime.date | None:
    return CycleRun.objects.filter(status=CycleRun.Status.COMPLETED).aggregate(
        d=Max("business_date")
    )["d"]


def cycle_run(*, as_of: datetime.date) -> list[CycleRun]:
    """Run the daily cycle for `as_of`, first replaying any business dates that were missed."""
    last = last_completed_date()
    if last is not None and as_of < last:
        raise ApplicationError(
            _(
                "The cycle already ran for %(last)s; it cannot run for an earlier date "
                "(%(as_of)s). Business dates only move forward."
            )
            % {"last": last.isoformat(), "as_of": as_of.isoformat()},
            field="as_of",
        )
    if last is None or as_of <= last:
        dates = [as_of]
    else:
        dates = [last + datetime.timedelta(days=n) for n in range(1, (as_of - last).days + 1)]
    return [cycle_run_date(business_date=day).run for day in dates]


def cycle_run_date(*, business_date: datetime.date, evaluate_all: bool = False) -> DayResult:
    """Apply one business date in one transaction (idempotent: a rerun changes nothing).

    Only the open debts that may move or get a contact action today are loaded and decided
    (cycle_candidates); `evaluate_all` loads and decides every open debt instead, the reference
    the selection is tested against (the outcome is the same)."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            _lock_cycle()
            result = _apply_date(business_date, evaluate_all=evaluate_all)
    except Exception as exc:
        _record_failure(business_date, exc)
        raise
    result.seconds = time.perf_counter() - started
    return result


def _lock_cycle() -> None:
    # So the beat task and a manual `run_cycle` never interleave.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CYCLE_LOCK_KEY])
        # Foreign keys checked per statement, while the rows it wrote are still in cache,
        # not millions of them one by one at COMMIT (Django declares them DEFERRABLE
        # INITIALLY DEFERRED). For this transaction only.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # No JIT compilation of the day's statements, and room for their hash joins.
        batch_planner_tune(cursor)


def _record_failure(business_date: datetime.date, exc: Exception) -> None:
    with transaction.atomic():
        CycleRun.objects.update_or_create(
            business_date=business_date,
            defaults={
                "status": CycleRun.Status.FAILED,
                "started_at": timezone.now(),
                "error": f"{type(exc).__name__}: {exc}"[:2000],
            },
        )


def _apply_date(business_date: datetime.date, *, evaluate_all: bool = False) -> DayResult:
    now = timezone.now()
    run, _created = CycleRun.objects.update_or_create(
        business_date=business_date,
        defaults={"status": CycleRun.Status.RUNNING, "started_at": now, "error": ""},
    )
    policy_ensure_defaults()
    seconds, phase = phase_timer()
    # --- agreements hook: breaks, promises, instalment notices; active agreements freeze
    # their debts' ladder (treated like held for moves and cadence actions).
    from agreements.services.cycle import agreements_cycle_day, agreements_freeze

    with phase("agreements"):
        frozen = agreements_cycle_day(business_date=business_date, run=run)
    # --- end of the agreements hook
    # The day's late interest, then collection fees (on what is owed with it), once the
    # agreements step settled which agreements hold today (one broken today no longer freezes
    # accrual) and before the ladder moves: each entry records the stage the debt spent the day
    # in. Both insert nothing for a date already applied, so a replayed date adds nothing.
    with phase("accrual"):
        accrual_run(as_of=business_date)
    with phase("fees"):
        fees_charge(as_of=business_date)
    with phase("load"):
        # Experiment arms (issue #22): joined only when a running experiment has debtors.
        arms = arms_relation()
        if evaluate_all:
            debts, counted = _load_open_debts(business_date, evaluate_all=True, arms=arms), None
        else:
            # Every open debt counts as evaluated: the selection decided the others do nothing.
            debts = _load_open_debts(business_date, arms=arms)
            counted = open_debt_counts(debts.attrs[OPEN_BY_CREDITOR], frozen=frozen)
        debts = agreements_freeze(arm_policies_apply(_attach_policy(debts)), frozen)
        debts = escalation_caps(debts, business_date=business_date)
    with phase("plan moves"):
        moves = _plan_moves(debts)
    with phase("apply moves"):
        moved_ids = _apply_moves(moves, business_date=business_date, run=run, now=now)
        # Fresh statistics for the stages just rewritten, before the steps that select debts
        # by stage (the notices, message planning's holds): planned from the import's "all
        # current", the holds' join over a million moved debts had not ended after 9 minutes.
        tables_analyze_after_bulk({Debt._meta.db_table: len(moved_ids)})
    moves = moves[moves["id"].isin(moved_ids)]
    debts = _after_moves(debts, moves, business_date)
    with phase("plan actions"):
        actions, holdout_skipped = _holdout_drop(_plan_actions(debts, business_date), debts)
    with phase("store actions"):
        # Reg F: US debts in collection get their validation notice first (cycle_us), then
        # the cadence's actions are stored.
        planned = _store_actions(actions, business_date=business_date, run=run)
        # Credit-bureau prior notices, before any report can happen (cycle_bureau); after the
        # cadence's, so a pre-legal notice planned today stands for it.
        planned += bureau_notices_plan(business_date=business_date, run_id=run.pk)
        if arms is not None:
            # The notices the law requires go to every arm, the hold-out's too, each recorded
            # under it, as are the agreements step's stage moves.
            run_arms_record(relation=arms, business_date=business_date, run_id=run.pk)
        # Fresh statistics for the day's actions before message planning reads them: a first
        # cycle at 1M debts stores 1.97M into the empty table, and with none (the index builds
        # count the rows, not how many are the day's and still planned) planning's read of
        # them took 5.2-5.5 s, 3.45 s with them.
        tables_analyze_after_bulk({ContactAction._meta.db_table: len(actions)})
    # --- messaging hook: the day's planned contact actions become outbox messages, in the
    # same transaction (a crash undoes both; a rerun plans nothing new).
    with phase("plan messages"):
        from messaging.services.planning import messages_plan

        plan = messages_plan(business_date=business_date)
    # --- end of messaging hook
    with phase("analyze"):
        _analyze_written(actions=len(actions), messages=plan)
    with phase("counts"):
        shares = _debt_shares(debts, moves=moves, counted=counted)
        run.status = CycleRun.Status.COMPLETED
        run.finished_at = timezone.now()
        run.debts_evaluated = sum(share["debts_evaluated"] for share in shares.values())
        run.debts_moved = int(len(moves))
        run.debts_held = sum(share["debts_held"] for share in shares.values())
        run.actions_planned = planned
        run.save()
        _store_creditor_counts(run, shares=shares)
    # Seconds per step at DEBUG, so a slow morning can be diagnosed in production.
    logger.debug(
        "cycle %s steps: %s",
        business_date,
        phases_text(seconds),
    )
    logger.info(
        "cycle %s: %s evaluated, %s moved, %s held, %s actions, %s hold-out reminders skipped",
        business_date,
        run.debts_evaluated,
        run.debts_moved,
        run.debts_held,
        run.actions_planned,
        holdout_skipped,
    )
    return DayResult(
        run=run,
        moves=moves,
        seconds=0.0,
        phases=seconds,
        planning=plan.steps,
        decided=int(len(debts)),
        holdout_skipped=holdout_skipped,
    )


def _analyze_written(*, actions: int, messages) -> None:
    """Fresh planner statistics for the tables a big day rewrote (a first cycle after an
    import moves most debts and writes millions of actions and messages)."""
    # (the debts were analyzed as soon as their stages moved, the actions once stored)
    written = messages.planned + messages.suppressed
    tables_analyze_after_bulk(
        {
            Message._meta.db_table: written,
            MessageDebt._meta.db_table: actions,  # about one link per action
        }
    )


def _debt_shares(
    debts: pd.DataFrame, *, moves: pd.DataFrame, counted: dict[int, tuple[int, int]] | None
) -> dict[int, dict[str, int]]:
    """Per creditor with open debts: debts evaluated (every open debt), moved and held.

    From `debts` when it holds every open debt (`counted` None); otherwise `debts` holds only
    the selected ones, and `counted` the open and held debts per creditor (open_debt_counts)."""
    moved = debts["id"].isin(moves["id"]).to_numpy(dtype=np.int64)
    frame = pd.DataFrame(
        {
            "creditor_id": debts["creditor_id"].to_numpy(dtype=np.int64),
            "debts_evaluated": 1,
            "debts_moved": moved,
            "debts_held": debts["held"].to_numpy(dtype=np.int64),
        }
    )
    if counted is not None:
        frame = frame[["creditor_id", "debts_moved"]]
    grouped = frame.groupby("creditor_id").sum()
    shares = {int(c): {k: int(v) for k, v in row.items()} for c, row in grouped.iterrows()}
    if counted is None:
        return shares
    return {
        creditor_id: {
            "debts_evaluated": evaluated,
            "debts_moved": shares.get(creditor_id, {}).get("debts_moved", 0),
            "debts_held": held,
        }
        for creditor_id, (evaluated, held) in counted.items()
    }


def _store_creditor_counts(run: CycleRun, *, shares: dict[int, dict[str, int]]) -> None:
    """Each creditor's share of the run's counts (what a manager of that creditor is shown)."""
    counts = {creditor_id: dict(fields) for creditor_id, fields in shares.items()}
    planned = (
        ContactAction.objects.filter(business_date=run.business_date)
        .values_list("debt__creditor_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for creditor_id, n in planned:
        counts.setdefault(creditor_id, {})["actions_planned"] = n
    # A rerun of the date replaces the shares it wrote before, like the run's own totals.
    CycleRunCreditor.objects.filter(run=run).delete()
    CycleRunCreditor.objects.bulk_create(
        CycleRunCreditor(run=run, creditor_id=creditor_id, **fields)
        for creditor_id, fields in counts.items()
    )


LOAD_COLUMNS = [
    "id",
    "creditor_id",
    "product",
    "stage",
    "balance_is_zero",
    "dpd",
    "due_in",
    "entered_on",
    "held",
    "segment",
]


OPEN_BY_CREDITOR = "open_by_creditor"
# Whether a hold in force covers debt `{alias}`: one on the debt, or on its debtor naming no debt.
HELD_SQL = f"CASE WHEN {HOLD_IN_FORCE_SQL} THEN 1 ELSE 0 END"


def _load_open_debts(
    business_date: datetime.date, *, evaluate_all: bool = False, arms: str | None = None
) -> pd.DataFrame:
    """The open debts the cycle decides today, with their days past due and hold flag, straight
    from SQL (no ORM rows): those that may move or get a contact action (cycle_candidates), or
    with `evaluate_all` every open debt. With `arms` (cycle_arms.arms_relation), each debt's
    experiment arm too (ARM_COLUMNS)."""
    if not evaluate_all:
        return _load_candidate_debts(business_date, arms=arms)
    return _load_every_open_debt(business_date, arms=arms)


def _load_every_open_debt(business_date: datetime.date, *, arms: str | None = None) -> pd.DataFrame:
    as_of = business_date.isoformat()
    dpd = days_between_sql(later="%s", earlier="d.due_date")
    due_in = days_between_sql(later="d.due_date", earlier="%s")
    placeholders = ", ".join(["%s"] * len(OPEN_STAGES))
    sql = f"""
        SELECT d.id, d.creditor_id, d.product, d.stage,
               CASE WHEN d.balance = 0 THEN 1 ELSE 0 END,
               {dpd}, {due_in}, d.stage_entered_on,
               {HELD_SQL.format(alias="d")},
               COALESCE(s.code, '')
               {", " + ARM_SELECT_SQL if arms else ""}
        FROM portfolio_debt d
        -- The segment the nightly job gave the debt ('' before its first run): a policy
        -- scoped to that segment code wins over the product and creditor defaults.
        LEFT JOIN {debt_segment_codes_sql.call_one()} s ON s.debt_id = d.id
        {arms_join_sql(arms, debt="d") if arms else ""}
        WHERE d.stage IN ({placeholders})
    """
    params = [as_of, as_of, *[str(s) for s in OPEN_STAGES]]
    # Through COPY and Arrow: at 1M debts 2.4-2.9 s, where fetching a million tuples and
    # building the frame from them took 3.9-4.8 s.
    columns = LOAD_COLUMNS + (ARM_COLUMNS if arms else [])
    frame = arrow_frame(sql, params, columns, text=("product", "stage", "segment"))
    return _debts_typed(frame, arms=arms is not None)


def _load_candidate_debts(business_date: datetime.date, *, arms: str | None) -> pd.DataFrame:
    """The load's columns for only the open debts that may move or get an action today; the
    number of open debts per creditor in `attrs[OPEN_BY_CREDITOR]`."""
    rows, open_by_creditor = candidate_debts_load(
        business_date=business_date,
        resolver=policy_resolver(),
        allowed=automatic_transitions(),
        columns_sql=f"""
            x.id, x.creditor_id, x.product, x.stage,
            CASE WHEN x.balance_is_zero THEN 1 ELSE 0 END, x.dpd, x.due_in, x.entered_on,
            {HELD_SQL.format(alias="x")}, x.segment
            {", x.arm_id, x.arm_version_id, x.holdout" if arms else ""}
        """,
        arms=arms,
    )
    # None: most of the book may act today (a first run after an import): the full load.
    frame = (
        _debts_frame(rows, arms=arms is not None)
        if rows is not None
        else _load_every_open_debt(business_date, arms=arms)
    )
    frame.attrs[OPEN_BY_CREDITOR] = open_by_creditor
    return frame


def _debts_frame(rows, *, arms: bool = False) -> pd.DataFrame:
    columns = LOAD_COLUMNS + (ARM_COLUMNS if arms else [])
    return _debts_typed(pd.DataFrame.from_records(rows, columns=columns), arms=arms)


def _debts_typed(frame: pd.DataFrame, *, arms: bool) -> pd.DataFrame:
    if arms:
        frame = arms_frame(frame)
    if frame.empty:
        return frame.assign(version_id=pd.Series(dtype="int64"))
    frame["entered_on"] = pd.to_datetime(frame["entered_on"])
    frame["held"] = frame["held"].astype(bool)
    frame["balance_is_zero"] = frame["balance_is_zero"].astype(bool)
    return frame


def _attach_policy(debts: pd.DataFrame) -> pd.DataFrame:
    """Add each debt's policy version and thresholds (one lookup per creditor × product)."""
    if debts.empty:
        for column in ("version_id", "friendly", "firm", "pre_legal", "grace"):
            debts[column] = pd.Series(dtype="int64")
        return debts
    resolver = policy_resolver()
    # `segment` (loaded with the debts) is the code segmentation gave each debt; a policy
    # scoped to it wins over the product and creditor defaults (see PolicyResolver).
    scopes = debts[["creditor_id", "product", "segment"]].drop_duplicates()
    records = []
    for creditor_id, product, segment in scopes.itertuples(index=False):
        version = resolver.version_for(
            creditor_id=int(creditor_id), product=product, segment=segment
        )
        records.append(
            {
                "creditor_id": creditor_id,
                "product": product,
                "segment": segment,
                "version_id": version.id,
                "friendly": version.friendly_dpd,
                "firm": version.firm_dpd,
                "pre_legal": version.pre_legal_dpd,
                "grace": version.grace_days,
            }
        )
    return debts.merge(pd.DataFrame(records), on=["creditor_id", "product", "segment"], how="left")


def ladder_targets(debts: pd.DataFrame) -> pd.Series:
    """The stage the ladder puts each debt at: its days past due less the policy's grace
    against the policy's thresholds (`dpd`, `grace`, `friendly`, `firm`, `pre_legal`), no
    further than a US debt's `cap_rank` allows (cycle_us). Never `legal`: a person decides it."""
    effective = (debts["dpd"] - debts["grace"]).clip(lower=0)
    ladder_target = np.select(
        [
            effective >= debts["pre_legal"],
            effective >= debts["firm"],
            effective >= debts["friendly"],
        ],
        [Stage.PRE_LEGAL.value, Stage.FIRM_NOTICE.value, Stage.FRIENDLY_REMINDER.value],
        default=Stage.CURRENT.value,
    )
    target = pd.Series(ladder_target, index=debts.index, dtype=object)
    if "cap_rank" in debts:
        # US debts wait for their validation notice and its period (cycle_us).
        for cap, capped_stage in CAP_STAGES.items():
            over = (debts["cap_rank"] == cap) & (target.map(RANK) > cap)
            target = target.where(~over, capped_stage)
    return target


def debt_ladder_stage(*, debt: Debt, as_of: datetime.date) -> str:
    """Where the ladder puts this one debt on `as_of`, as the cycle would: the policy version
    that governs it (its arm's, its segment's...), its US caps, `ladder_targets`."""
    version = policy_version_for_debt(debt=debt)
    if version is None:
        return Stage.CURRENT.value
    frame = pd.DataFrame(
        [
            {
                "id": debt.pk,
                "dpd": days_past_due(due_date=debt.due_date, as_of=as_of),
                "grace": version.grace_days,
                "friendly": version.friendly_dpd,
                "firm": version.firm_dpd,
                "pre_legal": version.pre_legal_dpd,
            }
        ]
    )
    return str(ladder_targets(escalation_caps(frame, business_date=as_of)).iloc[0])


def _plan_moves(debts: pd.DataFrame) -> pd.DataFrame:
    """Target stage per debt by the policy thresholds, kept only where the machine allows it."""
    columns = ["id", "from_stage", "to_stage", "transition", "version_id"]
    if "arm_id" in debts:
        columns.append("arm_id")
    if debts.empty:
        return pd.DataFrame(columns=columns)
    stage = debts["stage"].astype(str)
    target = ladder_targets(debts)
    forward = target.map(RANK) > stage.map(RANK)
    # A cure: nothing past due any more (the creditor moved the due date forward, or an
    # agreement restructured the debt) returns the debt to `current`.
    cured = (debts["dpd"] <= 0) & stage.isin(
        [Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE, Stage.PRE_LEGAL]
    )
    paid_off = debts["balance_is_zero"]
    target = target.where(~cured, Stage.CURRENT.value).where(~paid_off, Stage.PAID.value)
    wanted = (forward | cured | paid_off) & ~debts["held"]
    moves = pd.DataFrame(
        {
            "id": debts["id"],
            "from_stage": stage,
            "to_stage": target,
            "version_id": debts["version_id"],
            **({"arm_id": debts["arm_id"]} if "arm_id" in debts else {}),
        }
    )[wanted]
    allowed = automatic_transitions()
    moves["transition"] = [
        allowed.get((f, t)) for f, t in zip(moves["from_stage"], moves["to_stage"], strict=True)
    ]
    return moves[moves["transition"].notna()][columns].reset_index(drop=True)


def _apply_moves(moves: pd.DataFrame, *, business_date, run: CycleRun, now) -> set[int]:
    """Move the debts and record each move (StageChange, history row); returns the ids moved."""
    if moves.empty:
        return set()
    columns = ["id", "from_stage", "to_stage", "transition", "version_id"]
    with_arms = "arm_id" in moves
    if with_arms:
        moves = moves.assign(arm_id=_nullable(moves["arm_id"]))
        columns.append("arm_id")
    return stage_moves_apply(
        moves=moves[columns].itertuples(index=False, name=None),
        with_arms=with_arms,
        as_of=business_date,
        entered_at=timezone.make_aware(datetime.datetime.combine(business_date, datetime.time.min)),
        now=now,
        reason=Reason(reasons.CYCLE_THRESHOLD),
        cycle_run_id=run.pk,
    )


def _nullable(ids: pd.Series) -> pd.Series:
    """Nullable ids as Python ints and None (what the COPY of temp_table_load writes)."""
    # Built as an object Series: `map` would infer float64 from ints and None (1 -> "1.0").
    return pd.Series([None if pd.isna(v) else int(v) for v in ids], index=ids.index, dtype=object)


def _after_moves(debts: pd.DataFrame, moves: pd.DataFrame, business_date) -> pd.DataFrame:
    """The debts as they stand after today's moves (stage and entry date)."""
    if debts.empty or moves.empty:
        return debts
    debts = debts.copy()
    moved = debts["id"].isin(moves["id"])
    new_stage = debts["id"].map(dict(zip(moves["id"], moves["to_stage"], strict=True)))
    debts.loc[moved, "stage"] = new_stage[moved]
    debts.loc[moved, "entered_on"] = pd.Timestamp(business_date)
    return debts


def _plan_actions(debts: pd.DataFrame, business_date) -> pd.DataFrame:
    """The contact actions the cadence of each debt's policy asks for on this date (none in
    `legal`: CADENCE_STAGES)."""
    columns = ["debt_id", "stage", "channel", "template_code", "version_id"]
    if "arm_id" in debts:
        columns.append("arm_id")
    if debts.empty:
        return pd.DataFrame(columns=columns)
    eligible = debts[~debts["held"] & debts["stage"].isin([s.value for s in CADENCE_STAGES])]
    if eligible.empty:
        return pd.DataFrame(columns=columns)
    day = pd.Timestamp(business_date)
    days_in_stage = (day - eligible["entered_on"]).dt.days
    effective = (eligible["dpd"] - eligible["grace"]).clip(lower=0)
    versions = EscalationPolicyVersion.objects.in_bulk(
        [int(v) for v in eligible["version_id"].unique()]
    )
    chunks = []
    for version_id, group in eligible.groupby("version_id"):
        cadence = versions[int(version_id)].cadence or {}
        for stage, rules in cadence.items():
            in_stage = group["stage"] == stage
            if not in_stage.any():
                continue
            for rule in rules:
                if "dpd" in rule:
                    hit = in_stage & effective.loc[group.index].isin(rule["dpd"])
                elif "on_entry" in rule:
                    hit = in_stage & (days_in_stage.loc[group.index] == 0)
                elif "every_days" in rule:
                    since = days_in_stage.loc[group.index]
                    hit = in_stage & (since > 0) & (since % int(rule["every_days"]) == 0)
                elif "days_before_due" in rule:
                    hit = in_stage & group["due_in"].isin(rule["days_before_due"])
                else:
                    continue
                ids = group.loc[hit.fillna(False), "id"]
                for channel in rule["channels"]:
                    chunks.append(
                        pd.DataFrame(
                            {
                                "debt_id": ids,
                                "stage": stage,
                                "channel": channel,
                                "template_code": rule["template"],
                                "version_id": int(version_id),
                                **(
                                    {"arm_id": group.loc[ids.index, "arm_id"]}
                                    if "arm_id" in group
                                    else {}
                                ),
                            }
                        )
                    )
    if not chunks:
        return pd.DataFrame(columns=columns)
    return pd.concat(chunks, ignore_index=True)[columns]


def _holdout_drop(actions: pd.DataFrame, debts: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The cadence's actions less those for debtors in an experiment's hold-out, and how many
    were left out (the notices the law requires are planned apart and still go to them)."""
    if "holdout" not in debts or actions.empty:
        return actions, 0
    holdout = set(debts.loc[debts["holdout"], "id"].tolist())
    if not holdout:
        return actions, 0
    skipped = actions["debt_id"].isin(holdout)
    return actions[~skipped].reset_index(drop=True), int(skipped.sum())


def _store_actions(actions: pd.DataFrame, *, business_date, run: CycleRun) -> int:
    """Plan the day's validation notices, then insert the cadence's actions; the unique key
    makes a rerun insert nothing new. Returns the date's actions.

    A new installation's first cycle (about two million actions at 1M debts) writes both into
    the empty table before its key and indexes (core.bulk.insert_into_empty: 1.97M actions
    took 10.0-10.3 s with them, 3.9 s this way)."""
    columns = [
        ("debt_id", "bigint"),
        ("stage", "varchar(20)"),
        ("channel", "varchar(10)"),
        ("template_code", "varchar(60)"),
        ("version_id", "bigint"),
    ]
    with_arms = "arm_id" in actions
    if with_arms:
        actions = actions.assign(arm_id=_nullable(actions["arm_id"]))
        columns.append(("arm_id", "bigint"))
    if not actions.empty:
        # Outside the savepoint below, which would drop it with the rows it undoes.
        temp_table_load_frame(name="cycle_actions", columns=columns, frame=actions)

    with connection.cursor() as cursor:

        def insert(key_deferred: bool) -> None:
            validation_notices_plan(
                business_date=business_date, run_id=run.pk, key_deferred=key_deferred
            )
            if actions.empty:
                return
            # Into the empty table, before its key: none to name (a repeated action fails
            # the key's build, and both inserts run again with it in place).
            cursor.execute(
                f"""
                INSERT INTO {ContactAction._meta.db_table}
                    (debt_id, business_date, stage, channel, template_code, status,
                     policy_version_id, cycle_run_id, created_at
                     {", experiment_arm_id" if with_arms else ""})
                SELECT a.debt_id, %s, a.stage, a.channel, a.template_code, %s,
                       a.version_id, %s, %s {", a.arm_id" if with_arms else ""}
                  FROM cycle_actions a
                 WHERE true
                {"" if key_deferred else ON_CONFLICT_SQL}
                """,
                [business_date, ContactAction.Status.PLANNED, run.id, timezone.now()],
            )

        insert_into_empty(cursor, ContactAction._meta.db_table, rows=len(actions), insert=insert)
        cursor.execute("DROP TABLE IF EXISTS cycle_actions")
    return ContactAction.objects.filter(business_date=business_date).count()
