"""What experiments contribute to the apps below it (their hooks; see core.hooks)."""

from experiments.models import Arm, ArmRole, ArmStatus, Assignment, Experiment, ExperimentStatus


def debtor_arms_sql() -> str:
    """Each debtor's arm in a running experiment, as the relation messaging.hooks.debtor_arms_sql
    describes: the override columns are set only where the arm is an active challenger."""
    live = f"arm.status = '{ArmStatus.ACTIVE}' AND arm.role = '{ArmRole.CHALLENGER}'"
    return f"""(SELECT a.debtor_id, a.creditor_id, a.experiment_id, a.arm_id, arm.role,
               CASE WHEN {live} THEN arm.policy_version_id END AS policy_version_id,
               CASE WHEN {live} THEN arm.template_version_id END AS template_version_id,
               CASE WHEN {live} THEN arm.send_from_hour END::int AS send_from_hour,
               CASE WHEN {live} THEN arm.send_to_hour END::int AS send_to_hour,
               CASE WHEN {live} THEN arm.offer END AS offer,
               (arm.status = '{ArmStatus.ACTIVE}' AND arm.role = '{ArmRole.HOLDOUT}') AS holdout
          FROM {Assignment._meta.db_table} a
          JOIN {Arm._meta.db_table} arm ON arm.id = a.arm_id
          JOIN {Experiment._meta.db_table} e ON e.id = a.experiment_id
         WHERE a.left_on IS NULL AND e.status = '{ExperimentStatus.RUNNING}')"""


def segments_written(*, as_of) -> None:
    from experiments.services.assignment import running_refresh
    from experiments.services.guardrails import guardrails_check
    from experiments.services.snapshots import arm_snapshots_write

    running_refresh(as_of=as_of)
    arm_snapshots_write(as_of=as_of)
    guardrails_check(as_of=as_of)


def register() -> None:
    from analytics import hooks as analytics
    from experiments.exports import kpi_export_extra
    from messaging import hooks as messaging

    messaging.debtor_arms_sql.register(debtor_arms_sql, key="experiments")
    analytics.kpi_export_extra.register(kpi_export_extra, key="experiments")
    analytics.segments_written.register(segments_written, key="experiments")
