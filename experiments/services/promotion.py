"""Promotion: the winning arm becomes the creditor's rule, and the experiment ends.

What "becomes the rule" means per subject:
- policy: a new version of the champion's escalation policy, with the challenger's thresholds
  and cadence, becomes current (collections_app.services.policies.policy_update);
- template: a new version of the template, with the challenger's text, becomes the newest
  active one, the one sent (messaging.services.templates.template_version_create, which checks
  the text states what the law asks; a WhatsApp version goes back to the provider for approval);
- offer: the creditor's negotiation limits for debtor self-service take the arm's offer;
- send time: recorded only (the winner and its hours in the change history). Send hours are
  not a setting of the creditor: the policy's cadence says which days, and the contact rules
  (messaging compliance) say which hours, for every creditor alike. Widening them for one
  creditor is a compliance decision, not an experiment's.

Every debtor then leaves the experiment (their rows stay for the results), so the next cycle
treats the losers' debts by the new rule. A champion winning changes nothing but the record.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from agreements.models import NegotiationPolicy
from agreements.services.terms import negotiation_policy_for
from collections_app.services.policies import VERSION_FIELDS, policy_update
from core.exceptions import ApplicationError
from experiments.models import Arm, ArmRole, ArmStatus, Experiment, ExperimentChange, Subject
from experiments.services.assignment import assignments_release
from experiments.services.lifecycle import _check_manager, _record, offer_values
from messaging.services.templates import template_version_create


def _promote_policy(*, experiment, arm: Arm, user, note: str) -> int:
    champion = experiment.arms.get(role=ArmRole.CHAMPION)
    policy = (champion.policy_version or arm.policy_version).policy
    challenger = arm.policy_version
    values = {name: getattr(challenger, name) for name in VERSION_FIELDS}
    version = policy_update(
        policy=policy,
        values=values,
        user=user,
        note=(_("Promoted from experiment %(name)s") % {"name": experiment.name})[:255],
    )
    return version.pk


def _promote_template(*, experiment, arm: Arm, user, note: str) -> int:
    challenger = arm.template_version
    version = template_version_create(
        template=challenger.template,
        user=user,
        subject=challenger.subject,
        body=challenger.body,
        change_note=_("Promoted from experiment %(name)s") % {"name": experiment.name},
        creditor=experiment.creditor,
    )
    return version.pk


def _promote_offer(*, experiment, arm: Arm, user, note: str) -> int:
    values = offer_values(arm.offer)
    policy = negotiation_policy_for(experiment.creditor)
    policy = NegotiationPolicy.objects.select_for_update().get(pk=policy.pk)
    for name, value in values.items():
        setattr(policy, name, value)
    try:
        policy.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("The offer does not fit the creditor's limits: %(errors)s")
            % {"errors": "; ".join(m for ms in exc.message_dict.values() for m in ms)},
            field="arm",
        ) from exc
    policy.save(update_fields=[*values, "updated_at"])
    return policy.pk


PROMOTERS = {
    Subject.POLICY: _promote_policy,
    Subject.TEMPLATE: _promote_template,
    Subject.OFFER: _promote_offer,
}


@transaction.atomic
def experiment_promote(
    *, user, experiment: Experiment, arm: Arm, note: str, as_of: datetime.date
) -> Experiment:
    """Make `arm` the rule (see the module), end the experiment and release its debtors."""
    _check_manager(user, experiment.creditor_id)
    experiment = (
        Experiment.objects.select_for_update().select_related("creditor").get(pk=experiment.pk)
    )
    if not can_proceed(experiment.promote):
        raise ApplicationError(_("Only a running experiment can be promoted."), field="status")
    arm = Arm.objects.filter(pk=arm.pk, experiment=experiment).first()
    if arm is None:
        raise ApplicationError(_("That arm is not this experiment's."), field="arm")
    if arm.role == ArmRole.HOLDOUT:
        raise ApplicationError(
            _("A hold-out gets no reminders; it cannot become the rule."), field="arm"
        )
    if arm.status == ArmStatus.STOPPED:
        raise ApplicationError(_("A stopped arm cannot become the rule."), field="arm")
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Say why this arm wins."), field="note")
    promoted_id = None
    if arm.role == ArmRole.CHALLENGER and experiment.subject in PROMOTERS:
        promoted_id = PROMOTERS[experiment.subject](
            experiment=experiment, arm=arm, user=user, note=note
        )
    experiment.promote()
    experiment.winner = arm
    experiment.promoted_version_id = promoted_id
    experiment.ended_at = timezone.now()
    experiment.save(
        update_fields=["status", "winner", "promoted_version_id", "ended_at", "updated_at"]
    )
    assignments_release(experiment=experiment, as_of=as_of)
    if experiment.subject == Subject.SEND_TIME and arm.role == ArmRole.CHALLENGER:
        note = _("%(note)s (send hours %(start)s–%(end)s h recorded; not applied)") % {
            "note": note,
            "start": arm.send_from_hour,
            "end": arm.send_to_hour,
        }
    _record(experiment, action=ExperimentChange.Action.PROMOTED, user=user, note=note, arm=arm)
    return experiment
