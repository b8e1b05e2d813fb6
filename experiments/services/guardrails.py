"""Guard-rails: an arm whose complaints, opt-outs, suppressed messages or contacts per payment
go above the experiment's ceiling is stopped (nightly, after the arm snapshots)."""

import datetime
import logging

from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from experiments.models import Arm, ArmRole, ArmStatus, Experiment, ExperimentStatus
from experiments.selectors.measures import arm_counts
from experiments.selectors.results import (
    guardrail_ceilings,
    guardrail_values,
    guardrails_breached,
)
from experiments.services.lifecycle import arm_stop

logger = logging.getLogger(__name__)


def guardrail_label(key: str) -> str:
    return {
        "complaints_per_1000": _("Complaints per 1,000 accounts"),
        "opt_out_pct": _("Opt-outs (%)"),
        "suppressed_pct": _("Suppressed messages (%)"),
        "contacts_per_payment": _("Contacts per payment"),
    }.get(key, key)


def guardrails_check(*, as_of: datetime.date) -> list[Arm]:
    """Stop every active non-champion arm of a running experiment above one of its guard-rails;
    the arms stopped. The measures of all arms are read in one statement per measure."""
    experiments = {
        e.pk: e
        for e in Experiment.objects.filter(status=ExperimentStatus.RUNNING).exclude(guardrails={})
    }
    ceilings = {pk: guardrail_ceilings(e) for pk, e in experiments.items()}
    ceilings = {pk: c for pk, c in ceilings.items() if c}
    if not ceilings:
        return []
    counts = arm_counts(experiment_ids=list(ceilings), as_of=as_of)
    stopped = []
    arms = (
        Arm.objects.filter(experiment_id__in=list(ceilings), status=ArmStatus.ACTIVE)
        .exclude(role=ArmRole.CHAMPION)
        .order_by("experiment_id", "bucket_from")
    )
    for arm in arms:
        row = counts.get(arm.pk)
        if row is None:
            continue
        values = guardrail_values(row)
        limits = ceilings[arm.experiment_id]
        breached = guardrails_breached(values, limits)
        if not breached:
            continue
        reason = "; ".join(
            _("Guard-rail %(rail)s: %(value)s, above the ceiling of %(ceiling)s (%(date)s).")
            % {
                "rail": guardrail_label(key),
                "value": values[key],
                "ceiling": limits[key],
                "date": as_of.isoformat(),
            }
            for key in breached
        )
        try:
            stopped.append(arm_stop(user=None, arm=arm, reason=reason))
        except ApplicationError as exc:
            # Stopped or ended meanwhile by a strategist: nothing left to do for this arm.
            logger.info("guard-rail stop of arm %s skipped: %s", arm.pk, exc)
    return stopped
