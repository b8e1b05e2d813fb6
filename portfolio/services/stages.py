"""The record of every stage change, written by whoever moved the debt (person, cycle, event)."""

import datetime

from django.utils import timezone

from portfolio.models import Debt, StageChange


def stage_change_record(
    *,
    debt: Debt,
    from_stage: str,
    transition_name: str,
    actor,
    as_of: datetime.date,
    reason: str = "",
    policy_version_id: int | None = None,
    cycle_run_id: int | None = None,
) -> StageChange:
    """Write the record of a stage change that just happened on `debt`."""
    return StageChange.objects.create(
        debt=debt,
        from_stage=from_stage,
        to_stage=debt.stage,
        transition=transition_name,
        actor=actor,
        business_date=as_of,
        occurred_at=timezone.now(),
        reason=reason,
        policy_version_id=policy_version_id,
        cycle_run_id=cycle_run_id,
    )
