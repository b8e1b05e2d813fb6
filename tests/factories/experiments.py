"""Experiments for tests: a running champion/challenger on a creditor's whole book."""

import datetime

from experiments.models import ArmRole, Subject
from experiments.services.lifecycle import ArmSpec, experiment_create, experiment_start


def make_experiment(
    *,
    user,
    creditor,
    subject=Subject.POLICY,
    metric="cure_rate",
    arms=None,
    segment=None,
    start_on: datetime.date | None = None,
    started=True,
    **fields,
):
    """A policy experiment 50/50 (or `arms`: ArmSpecs), started on `start_on` unless told."""
    starts_on = start_on or datetime.date(2026, 3, 2)
    if arms is None:
        from collections_app.models import EscalationPolicy
        from collections_app.services.policies import policy_ensure_defaults

        policy_ensure_defaults(creditors=[creditor])
        champion = EscalationPolicy.objects.get(
            creditor=creditor, product="", segment="", is_active=True
        ).current_version
        arms = [
            ArmSpec("a", "Champion", ArmRole.CHAMPION, 50, policy_version=champion),
            ArmSpec("b", "Challenger", ArmRole.CHALLENGER, 50, policy_version=champion),
        ]
    experiment = experiment_create(
        user=user,
        creditor=creditor,
        name=fields.pop("name", "Test"),
        subject=subject,
        primary_metric=metric,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=60),
        arms=arms,
        segment=segment,
        **fields,
    )
    if started:
        experiment_start(user=user, experiment=experiment, as_of=starts_on)
        experiment.refresh_from_db()
    return experiment
