"""Each running experiment's arm figures, written nightly (after the assignments refresh)."""

import datetime
from decimal import Decimal

from django.db import transaction

from experiments.models import Arm, ArmSnapshot, Experiment, ExperimentStatus
from experiments.selectors.measures import arm_counts


@transaction.atomic
def arm_snapshots_write(*, as_of: datetime.date) -> int:
    """Replace the date's arm snapshots with every running experiment's figures; rows written.

    Set-based: the figures of all arms come from one statement per measure
    (selectors.measures.arm_counts), written with one DELETE and one bulk INSERT, so running
    it twice for a date leaves the same rows."""
    experiments = list(
        Experiment.objects.filter(status=ExperimentStatus.RUNNING).values_list("pk", flat=True)
    )
    ArmSnapshot.objects.filter(as_of=as_of).delete()
    if not experiments:
        return 0
    counts = arm_counts(experiment_ids=experiments, as_of=as_of)
    rows = []
    for arm_id, experiment_id in Arm.objects.filter(experiment_id__in=experiments).values_list(
        "pk", "experiment_id"
    ):
        row = counts.get(arm_id)
        if row is None:
            continue
        common = {
            "experiment_id": experiment_id,
            "arm_id": arm_id,
            "as_of": as_of,
            "accounts": row.accounts,
            "delinquent": row.delinquent,
            "cured": row.cured,
            "promises_made": row.promises_made,
            "promises_kept": row.promises_kept,
            "promises_broken": row.promises_broken,
            "complaints": row.complaints,
            "opt_outs": row.opt_outs,
            "messages_planned": row.messages_planned,
            "messages_suppressed": row.messages_suppressed,
            "contacts": row.contacts,
        }
        if not row.collected:
            rows.append(
                ArmSnapshot(currency="", collected=Decimal("0.00"), payers=0, payments=0, **common)
            )
        for currency, collected in sorted(row.collected.items()):
            rows.append(
                ArmSnapshot(
                    currency=currency,
                    collected=collected.amount,
                    payers=collected.payers,
                    payments=collected.payments,
                    **common,
                )
            )
    ArmSnapshot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
