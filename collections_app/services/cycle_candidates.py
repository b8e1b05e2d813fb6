"""Which open debts the daily cycle needs to decide on a business date, selected in SQL.

The cycle's decisions (`cycle._plan_moves`, `cycle._plan_actions`) are functions of a debt's
row on the day: its stage, balance, days past due, days to its due date, stage entry date,
holds and its policy version. On a steady day almost every debt decides "nothing": it neither
crosses a threshold of its policy nor reaches a step of its cadence. So instead of loading every
open debt into pandas, SQL keeps only the debts that may do something today:
  * a move is wanted: paid off, cured (nothing past due on a past-due stage), or days past due
    less grace reached a threshold above the debt's stage, and the state machine declares the
    move (the rule of `_plan_moves`, with the same policy versions);
  * a cadence rule of its policy hits today (days past due, on entry, every N days, days
    before due: the rules of `_plan_actions`) for an action not stored yet for the date
    (one the INSERT's unique key would skip anyway: a rerun of a date selects nothing new).
The open debts are counted per creditor (two columns, no joins); then one statement reads
them once, applies a cheap necessary test to every row (no strings built per row) and decides
exactly on the few that pass.
Holds and agreements are left to the cycle: they only take a candidate's moves and actions
away, never add any. The selected debts then go through the same pandas decisions as a full
load, so the moves, their records and the actions are identical to deciding every open debt
(tests/collections_app/test_cycle_candidates.py runs days both ways and compares them).
Nothing is remembered between days: the selection reads only today's state, so a missed date,
a policy edit, a payment or a manual move counts the day it matters.
"""

import datetime

from django.db import connection

from collections_app.hooks import debt_segment_codes_sql
from collections_app.models import CADENCE_STAGES, LADDER, CycleRun, EscalationPolicyVersion
from collections_app.selectors.escalation import PolicyResolver
from collections_app.services.cycle_arms import arm_version_ids, arms_join_sql
from core.bulk import days_between_sql
from portfolio.models import OPEN_STAGES, Stage

# The ladder stages days past due lead to, in rank order (as `_plan_moves` computes them).
TARGETS = (Stage.CURRENT, Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE, Stage.PRE_LEGAL)
CURABLE = (Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE, Stage.PRE_LEGAL)
# The scan's policy columns as an escalation policy version names them (a challenger's).
ARM_VERSION_COLUMNS = {
    "version_id": "id",
    "friendly": "friendly_dpd",
    "firm": "firm_dpd",
    "pre_legal": "pre_legal_dpd",
    "grace": "grace_days",
}
# Policy scopes (by product, by segment), most specific first: PolicyResolver's order.
SCOPE_ORDER = ((True, True), (False, True), (True, False), (False, False))
AS_OF = "%(as_of)s::date"


def _quoted(values) -> str:
    # Stage names: fixed identifiers of the code, never user input.
    return ", ".join(f"'{value}'" for value in values)


def cadence_rules(versions: dict[int, EscalationPolicyVersion]) -> list[tuple]:
    """(version id, stage, trigger, days, every, template, channel) for each channel of each
    cadence rule that can plan an action, read exactly as `_plan_actions` reads the cadence."""
    # No cadence in `legal` (CADENCE_STAGES): a debt in court gets no automatic reminder.
    ladder = {str(stage) for stage in CADENCE_STAGES}
    rules = []
    for version_id, version in sorted(versions.items()):
        for stage, stage_rules in (version.cadence or {}).items():
            if stage not in ladder:
                continue  # the cycle plans nothing for a debt on another stage
            for rule in stage_rules:
                days, every = None, None
                if "dpd" in rule:
                    trigger, days = "dpd", tuple(int(v) for v in rule["dpd"])
                elif "on_entry" in rule:
                    trigger = "on_entry"
                elif "every_days" in rule:
                    trigger, every = "every_days", int(rule["every_days"])
                    if every == 0:
                        continue  # `since % 0` is never 0 in pandas either
                elif "days_before_due" in rule:
                    trigger, days = (
                        "days_before_due",
                        tuple(int(v) for v in rule["days_before_due"]),
                    )
                else:
                    continue
                for channel in rule["channels"]:
                    rules.append(
                        (version_id, stage, trigger, days, every, rule["template"], channel)
                    )
    return rules


def _array(days: tuple | None) -> list | None:
    # psycopg2 sends a list as an ARRAY (a tuple would be a row).
    return None if days is None else list(days)


def _hit_sql(trigger: str, *, days: str, every: str) -> str:
    """SQL true when a cadence trigger hits a debt of `x` today (as `_plan_actions` decides)."""
    return {
        "dpd": f"x.effective = ANY({days})",
        "on_entry": f"x.entered_on = {AS_OF}",
        "every_days": f"(x.entered_on < {AS_OF} AND ({AS_OF} - x.entered_on) %% {every} = 0)",
        "days_before_due": f"x.due_in = ANY({days})",
    }[trigger]


def _scan_sql(
    resolver: PolicyResolver, params: dict, *, arms: str | None = None
) -> tuple[str, str]:
    """(WITH list, relation): every open debt with the load's columns and its policy's
    thresholds (`effective`: days past due less grace, never below 0), the policy found as
    PolicyResolver finds it. The policies go in the statement's WITH list, so the relation
    stays a plain subquery the planner flattens (only the columns a test reads are computed).
    With `arms` (cycle_arms.arms_relation), a debt whose debtor is in an active challenger of a
    policy experiment has that arm's version instead, and the relation has the arm's columns
    (arm_id, arm_version_id, holdout)."""
    rows = []
    for index, ((creditor_id, product, segment), version) in enumerate(
        sorted(resolver.by_scope.items(), key=lambda item: item[0])
    ):
        rows.append(
            f"({int(creditor_id)}::bigint, %(pp{index})s::varchar, %(ps{index})s::varchar,"
            f" {int(version.id)}::bigint, {int(version.friendly_dpd)}, {int(version.firm_dpd)},"
            f" {int(version.pre_legal_dpd)}, {int(version.grace_days)})"
        )
        params[f"pp{index}"], params[f"ps{index}"] = product, segment
    scopes = {(bool(product), bool(segment)) for _c, product, segment in resolver.by_scope}
    if any(by_segment for _p, by_segment in scopes):
        segment_join = f"LEFT JOIN {debt_segment_codes_sql.call_one()} s ON s.debt_id = d.id"
        segment = "COALESCE(s.code, '')"
    else:
        # No policy is scoped to a segment: the segment cannot change which one applies.
        segment_join, segment = "", "''::varchar"
    joins, aliases = [], []
    for by_product, by_segment in (scope for scope in SCOPE_ORDER if scope in scopes):
        alias = f"p{len(aliases)}"
        aliases.append(alias)
        product_sql = "d.product" if by_product else "''"
        segment_sql = segment if by_segment else "''"
        joins.append(
            f"LEFT JOIN pol {alias} ON {alias}.creditor_id = d.creditor_id"
            f" AND {alias}.product = {product_sql} AND {alias}.segment = {segment_sql}"
        )

    arm_columns, arm_joins = "", ""
    if arms is not None:
        arm_columns = (
            "ar.arm_id AS arm_id, ar.policy_version_id AS arm_version_id,"
            " COALESCE(ar.holdout, false) AS holdout,"
        )
        arm_joins = (
            f"{arms_join_sql(arms, debt='d')}"
            f" LEFT JOIN {EscalationPolicyVersion._meta.db_table} av"
            " ON av.id = ar.policy_version_id"
        )

    def policy(column: str) -> str:
        found = [f"{alias}.{column}" for alias in aliases]
        if arms is not None:
            found.insert(0, f"av.{ARM_VERSION_COLUMNS[column]}")
        if not found:
            return "NULL::int"
        return f"COALESCE({', '.join(found)})"

    dpd = days_between_sql(later=AS_OF, earlier="d.due_date")
    due_in = days_between_sql(later="d.due_date", earlier=AS_OF)
    pol = (
        "pol (creditor_id, product, segment, version_id, friendly, firm, pre_legal, grace)"
        f" AS (VALUES {', '.join(rows)})"
        if rows
        else ""
    )
    return (
        pol,
        f"""
        (SELECT d.id, d.creditor_id, d.product, d.stage, d.debtor_id,
               (d.balance = 0) AS balance_is_zero, {dpd} AS dpd, {due_in} AS due_in,
               d.stage_entered_on AS entered_on, {segment} AS segment,
               {policy("version_id")}::bigint AS version_id, {policy("friendly")} AS friendly,
               {policy("firm")} AS firm, {policy("pre_legal")} AS pre_legal, {arm_columns}
               GREATEST({dpd} - {policy("grace")}, 0) AS effective
          FROM portfolio_debt d
          {segment_join}
          {" ".join(joins)}
          {arm_joins}
         WHERE d.stage IN ({_quoted(OPEN_STAGES)})
               )
    """,
    )


def _wanted_sql(allowed: dict[tuple[str, str], str], params: dict) -> str:
    """SQL true when `_plan_moves` would move the debt of `x` (holds aside): paid off, else
    cured, else a threshold above its stage reached; and the machine declares the move."""
    rank = " ".join(f"WHEN '{stage}' THEN {index}" for index, stage in enumerate(LADDER))
    ladder_rank = (
        "CASE WHEN x.effective >= x.pre_legal THEN 3 WHEN x.effective >= x.firm THEN 2"
        " WHEN x.effective >= x.friendly THEN 1 ELSE 0 END"
    )
    params["pairs"] = sorted(f"{source}>{target}" for source, target in allowed)
    return f"""
        (x.stage || '>' || (
            CASE WHEN x.balance_is_zero THEN '{Stage.PAID}'
                 WHEN x.dpd <= 0 AND x.stage IN ({_quoted(CURABLE)}) THEN '{Stage.CURRENT}'
                 WHEN {ladder_rank} > CASE x.stage {rank} END
                      THEN (ARRAY[{_quoted(TARGETS)}])[{ladder_rank} + 1]
            END)) = ANY(%(pairs)s)
    """


def _may_act_sql(rules: list[tuple], params: dict) -> str:
    """A cheap test every row of `x` takes, true for every debt `_plan_moves` could move or
    `_plan_actions` could plan for (a few more may pass: the exact test comes after)."""
    thresholds = ["x.friendly", "x.firm", "x.pre_legal"]
    tests = [
        "x.version_id IS NULL",
        "x.balance_is_zero",
        f"(x.dpd <= 0 AND x.stage IN ({_quoted(CURABLE)}))",
    ]
    # Forward: the ladder's target ranks above the stage (days past due reached the lowest
    # threshold of a higher stage).
    for rank, stage in enumerate(TARGETS[:-1]):
        tests.append(
            f"(x.stage = '{stage}' AND x.effective >= LEAST({', '.join(thresholds[rank:])}))"
        )
    by_version: dict[int, dict[str, list[str]]] = {}
    for index, (version_id, stage, trigger, days, every) in enumerate(
        sorted({rule[:5] for rule in rules}, key=repr)
    ):
        params[f"hd{index}"] = _array(days)
        hit = _hit_sql(trigger, days=f"%(hd{index})s", every=str(int(every or 1)))
        by_version.setdefault(version_id, {}).setdefault(stage, []).append(hit)
    for version_id, stages in sorted(by_version.items()):
        by_stage = " OR ".join(
            f"(x.stage = '{stage}' AND ({' OR '.join(hits)}))"
            for stage, hits in sorted(stages.items())
        )
        tests.append(f"(x.version_id = {int(version_id)} AND ({by_stage}))")
    return " OR ".join(tests)


def _cycle_planned(business_date: datetime.date) -> bool:
    """Whether a cycle run already stored actions for the date (this is a rerun of it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM messaging_contactaction"
            " WHERE business_date = %s AND cycle_run_id IS NOT NULL)",
            [business_date],
        )
        return cursor.fetchone()[0]


def _mostly_new(business_date: datetime.date, *, open_debts: int) -> bool:
    """Whether most of today's open debts are new to the cycle: no cycle has completed a date
    before this one (a new installation's first cycle), or the last one counted fewer than
    half of today's open debts (a big import since)."""
    last = (
        CycleRun.objects.filter(business_date__lt=business_date, status=CycleRun.Status.COMPLETED)
        .order_by("-business_date")
        .values_list("debts_evaluated", flat=True)
        .first()
    )
    return last is None or last * 2 < open_debts


def _open_by_creditor() -> dict[int, int]:
    """Open debts per creditor: the debts' creditor and stage alone, no joins (at 1M: 0.16-0.20
    s, where counting them in the candidates' statement made it a second pass)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.creditor_id, count(*) FROM portfolio_debt d"
            f" WHERE d.stage IN ({_quoted(OPEN_STAGES)}) GROUP BY d.creditor_id"
        )
        return {int(creditor_id): int(n) for creditor_id, n in cursor.fetchall()}


def candidate_debts_load(
    *,
    business_date: datetime.date,
    resolver: PolicyResolver,
    allowed: dict[tuple[str, str], str],
    columns_sql: str,
    arms: str | None = None,
) -> tuple[list[tuple] | None, dict[int, int]]:
    """(`columns_sql` of each open debt the cycle decides today, open debts per creditor).
    None instead of rows when the caller should decide every open debt: on the date's first
    run when most of the book is new to the cycle (a new installation's first cycle, or the
    first after an import that more than doubled the book: nearly every new debt moves), which
    the full load reads faster than a selection would keep nearly all of it (at 1M, 2.6 s
    against 5.8 s).

    `columns_sql` reads `x`: id, creditor_id, product, stage, debtor_id, balance_is_zero, dpd,
    due_in, entered_on, segment, version_id (and with `arms` arm_id, arm_version_id, holdout:
    a challenger's version is the debt's version). A debt whose policy cannot be found is
    selected too, so the cycle fails on it as a full load does.

    One statement reads the open debts once: the cheap test on every row, the exact one on
    the rows that pass (until #17's thirteenth round a first pass collected the ids that
    passed and a second statement fetched them again by primary key: 0.72 s + 0.57 s at 1M on
    a steady day, where the count and this statement take 0.16-0.20 s + 0.53-0.72 s).
    """
    open_by_creditor = _open_by_creditor()
    if not open_by_creditor:
        return [], open_by_creditor
    if _mostly_new(business_date, open_debts=sum(open_by_creditor.values())) and not (
        _cycle_planned(business_date)
    ):
        return None, open_by_creditor
    wanted_versions = {version.id for version in resolver.by_scope.values()}
    if arms is not None:
        wanted_versions |= arm_version_ids(arms)
    versions = EscalationPolicyVersion.objects.in_bulk(wanted_versions)
    rules = cadence_rules(versions)
    # The exact test, on the debts that pass the cheap one: the move is wanted and declared,
    # or a hit plans an action not stored yet.
    params: dict = {"as_of": business_date}
    policies, scan = _scan_sql(resolver, params, arms=arms)
    sql = f"""
        WITH {policies + "," if policies else ""}
        x AS MATERIALIZED (
            SELECT x.*, ({_wanted_sql(allowed, params)}) AS wanted
              FROM {scan} x WHERE {_may_act_sql(rules, params)}
        )
    """
    if not rules:
        sql += f" SELECT {columns_sql} FROM x WHERE x.wanted OR x.version_id IS NULL ORDER BY x.id"
    else:
        values = []
        for index, (version_id, stage, trigger, days, every, template, channel) in enumerate(rules):
            values.append(
                f"({int(version_id)}::bigint, %(rs{index})s::varchar, %(rt{index})s::varchar,"
                f" %(rd{index})s::int[], {int(every or 1)}, %(rm{index})s::varchar,"
                f" %(rc{index})s::varchar)"
            )
            params.update(
                {
                    f"rs{index}": stage,
                    f"rt{index}": trigger,
                    f"rd{index}": _array(days),
                    f"rm{index}": template,
                    f"rc{index}": channel,
                }
            )
        triggers = " ".join(
            f"WHEN '{trigger}' THEN {_hit_sql(trigger, days='r.days', every='r.every')}"
            for trigger in ("dpd", "on_entry", "every_days", "days_before_due")
        )
        # Hits less the actions stored for the date: one probe of the actions' unique key
        # (debt, template, channel, date) per hit. `business_date + 0` keeps the planner off
        # the (business_date, channel) index: the day's rows are newer than the statistics,
        # which then promise none and the probe would read every action of the day.
        sql += f""",
        rules (version_id, stage, trig, days, every, template, channel) AS (
            VALUES {", ".join(values)}),
        hits AS MATERIALIZED (
            SELECT x.id, r.template, r.channel
              FROM x JOIN rules r ON r.version_id = x.version_id AND r.stage = x.stage
             WHERE CASE r.trig {triggers} END
        ),
        unplanned AS (
            SELECT DISTINCT h.id FROM hits h
             -- (a first run of the date, with no action stored for it yet, skips the probes)
             WHERE NOT EXISTS (
                   SELECT 1 FROM messaging_contactaction a WHERE a.business_date = {AS_OF})
                OR NOT EXISTS (
                   SELECT 1 FROM messaging_contactaction a
                    WHERE a.debt_id = h.id AND a.template_code = h.template
                      AND a.channel = h.channel AND a.business_date + 0 = {AS_OF})
        )
        SELECT {columns_sql} FROM x LEFT JOIN unplanned u ON u.id = x.id
         WHERE x.wanted OR x.version_id IS NULL OR u.id IS NOT NULL
         ORDER BY x.id
        """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall(), open_by_creditor


def open_debt_counts(
    open_by_creditor: dict[int, int], *, frozen: set[int]
) -> dict[int, tuple[int, int]]:
    """creditor id -> (open debts, open debts held): under a hold in force (on the debt, or on
    its debtor with no debt named) or frozen by an agreement today (`frozen`), as the cycle's
    full load and `agreements_freeze` flag them. Read before the day's moves, as that load is.
    `open_by_creditor` is the count `candidate_debts_load` made (`_open_by_creditor`)."""
    placeholders = ", ".join(["%s"] * len(OPEN_STAGES))
    stages = [str(s) for s in OPEN_STAGES]
    counts = {creditor_id: (n, 0) for creditor_id, n in open_by_creditor.items()}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT d.creditor_id, count(*) FROM portfolio_debt d
             WHERE d.stage IN ({placeholders}) AND d.id IN (
                   SELECT h.debt_id FROM portfolio_hold h
                    WHERE h.closed_at IS NULL AND h.debt_id IS NOT NULL
                   UNION ALL
                   SELECT o.id FROM portfolio_hold h JOIN portfolio_debt o
                       ON o.debtor_id = h.debtor_id
                    WHERE h.closed_at IS NULL AND h.debt_id IS NULL
                   UNION ALL
                   SELECT unnest(%s::bigint[]))
             GROUP BY d.creditor_id
            """,
            [*stages, sorted(int(i) for i in frozen)],
        )
        for creditor_id, held in cursor.fetchall():
            counts[int(creditor_id)] = (counts[int(creditor_id)][0], int(held))
    return counts
