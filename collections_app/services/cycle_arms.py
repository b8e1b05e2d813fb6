"""The daily cycle's experiment arms (issue #22): which debtors are in an arm, and what that does.

A debtor in an arm of a running experiment (messaging.hooks.debtor_arms_sql, one row per debtor
and creditor at most) has:
  * with an active challenger's policy version: that version (thresholds, grace and cadence)
    for every open debt of the creditor, instead of the one PolicyResolver finds;
  * in an active hold-out: no cadence contact actions (the notices the law requires, planned
    outside the cadence, still go out), while stage moves follow the champion;
  * in any arm: its id on every stage change and contact action the cycle writes for them.
Holds, agreements, the US caps and the compliance engine apply to every arm unchanged.
The relation is joined only when a running experiment has debtors (one cheap check per run),
so a day without experiments reads and decides exactly as before.
"""

import pandas as pd
from django.db import connection

from collections_app.models import EscalationPolicyVersion
from messaging.hooks import debtor_arms_sql
from messaging.models import ContactAction
from messaging.services.arms import arms_running
from portfolio.models import StageChange

# The arm columns the cycle's loads add when an experiment runs.
ARM_COLUMNS = ["arm_id", "arm_version_id", "holdout"]
# The policy columns a challenger's version replaces (frame column -> version field).
POLICY_FIELDS = {
    "friendly": "friendly_dpd",
    "firm": "firm_dpd",
    "pre_legal": "pre_legal_dpd",
    "grace": "grace_days",
}


def arms_relation() -> str | None:
    """SQL for each debtor's arm (debtor_id, creditor_id, arm_id, policy_version_id, holdout,
    ...) when a running experiment has debtors; None otherwise (the cycle then ignores arms)."""
    return debtor_arms_sql.call_one() if arms_running() else None


def arm_version_ids(relation: str) -> set[int]:
    """The challengers' policy versions debtors are in today."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT r.policy_version_id FROM {relation} r"
            " WHERE r.policy_version_id IS NOT NULL"
        )
        return {int(row[0]) for row in cursor.fetchall()}


def arms_join_sql(relation: str, *, debt: str) -> str:
    """LEFT JOIN of the arm (alias `ar`) of debt `debt`'s debtor for the debt's creditor."""
    return (
        f"LEFT JOIN {relation} ar ON ar.debtor_id = {debt}.debtor_id"
        f" AND ar.creditor_id = {debt}.creditor_id"
    )


# The holdout flag as 0/1: read through CSV a boolean would arrive as the text 't' or 'f'.
ARM_SELECT_SQL = "ar.arm_id, ar.policy_version_id, COALESCE(ar.holdout, false)::int"


def arms_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The arm columns of a loaded frame in their types (arm ids nullable)."""
    frame["arm_id"] = frame["arm_id"].astype("Int64")
    frame["arm_version_id"] = frame["arm_version_id"].astype("Int64")
    frame["holdout"] = frame["holdout"].fillna(False).astype(bool)
    return frame


def arm_policies_apply(debts: pd.DataFrame) -> pd.DataFrame:
    """`debts` (with PolicyResolver's version and thresholds) where a challenger's version
    replaces them for the debts of its debtors."""
    if "arm_version_id" not in debts or debts.empty:
        return debts
    overridden = debts["arm_version_id"].notna()
    if not overridden.any():
        return debts
    versions = EscalationPolicyVersion.objects.in_bulk(
        [int(v) for v in debts.loc[overridden, "arm_version_id"].unique()]
    )
    ids = debts.loc[overridden, "arm_version_id"].astype(int)
    debts = debts.copy()
    debts.loc[overridden, "version_id"] = ids.to_numpy()
    for column, field in POLICY_FIELDS.items():
        debts.loc[overridden, column] = ids.map(
            {vid: getattr(version, field) for vid, version in versions.items()}
        ).to_numpy()
    return debts


def run_arms_record(*, relation: str, business_date, run_id: int) -> None:
    """The arm on what the run wrote outside the cadence and the threshold moves, which got
    theirs when inserted: the notices the law requires (validation, bureau) and the stage
    changes of the agreements step (a broken agreement's return)."""
    with connection.cursor() as cursor:
        for table in (ContactAction._meta.db_table, StageChange._meta.db_table):
            cursor.execute(
                f"""
                UPDATE {table} t SET experiment_arm_id = ar.arm_id
                  FROM portfolio_debt d
                  JOIN {relation} ar
                    ON ar.debtor_id = d.debtor_id AND ar.creditor_id = d.creditor_id
                 WHERE d.id = t.debt_id AND t.business_date = %s AND t.cycle_run_id = %s
                   AND t.experiment_arm_id IS NULL
                """,
                [business_date, run_id],
            )
