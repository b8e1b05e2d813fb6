"""Writes of an experiment: create (with its arms), start, stop an arm, stop the experiment.

Who may: the creditor's managers and administrators. Every write is recorded as an
ExperimentChange (who, when, why). Promotion lives in services.promotion.
"""

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from agreements.services.terms import OFFER_TERMS
from core.exceptions import ApplicationError
from core.scoping import user_manages_creditor
from experiments.models import (
    BUCKETS,
    Arm,
    ArmRole,
    ArmStatus,
    Experiment,
    ExperimentChange,
    ExperimentStatus,
    Metric,
    Subject,
)
from experiments.services.assignment import assignments_refresh, assignments_release

# The guard-rails an experiment may set, each a ceiling per arm (services.guardrails).
GUARDRAILS = ("complaints_per_1000", "opt_out_pct", "suppressed_pct", "contacts_per_payment")
# What each subject's arms carry.
SUBJECT_FIELD = {
    Subject.POLICY: "policy_version",
    Subject.TEMPLATE: "template_version",
    Subject.OFFER: "offer",
    Subject.SEND_TIME: "send_hours",
}


@dataclass
class ArmSpec:
    """One arm as a form or the API describes it."""

    code: str
    name: str
    role: str
    weight: int
    policy_version: object = None
    template_version: object = None
    offer: dict = field(default_factory=dict)
    send_from_hour: int | None = None
    send_to_hour: int | None = None


def may_manage(*, user, creditor_id: int) -> bool:
    return user_manages_creditor(user=user, creditor_id=creditor_id)


def _check_manager(user, creditor_id: int) -> None:
    if not may_manage(user=user, creditor_id=creditor_id):
        raise ApplicationError(
            _("You do not manage this creditor."), field="creditor", extra={"status": 403}
        )


def _record(experiment, *, action, user, note="", arm=None, now=None) -> None:
    ExperimentChange.objects.create(
        experiment=experiment,
        arm=arm,
        action=action,
        note=note[:500],
        changed_by=user,
        changed_at=now or timezone.now(),
    )


def offer_values(offer: dict) -> dict:
    """The negotiation limits an arm's offer sets ({NegotiationPolicy field: value}), from its
    terms (agreements.services.terms.OFFER_TERMS); a bad term is a 400."""
    values = {}
    for key, value in (offer or {}).items():
        if key not in OFFER_TERMS:
            raise ApplicationError(_("Unknown offer term %(key)s.") % {"key": key}, field="offer")
        try:
            number = Decimal(str(value))
        except (ArithmeticError, ValueError) as exc:
            raise ApplicationError(_("An offer term is a number."), field="offer") from exc
        if not number.is_finite() or number < 0:
            raise ApplicationError(_("An offer term is a number of 0 or more."), field="offer")
        whole = key in ("max_instalments", "early_payment_days")
        values[OFFER_TERMS[key]] = int(number) if whole else number
    return values


def arms_problems(*, subject: str, arms: list[ArmSpec]) -> dict[str, str]:
    """What is wrong with a set of arms, {field: message} (empty: fine)."""
    problems: dict[str, str] = {}
    roles = [arm.role for arm in arms]
    if roles.count(ArmRole.CHAMPION) != 1:
        problems["arms"] = _("An experiment has exactly one champion.")
    elif roles.count(ArmRole.CHALLENGER) < 1:
        problems["arms"] = _("An experiment needs at least one challenger.")
    elif roles.count(ArmRole.HOLDOUT) > 1:
        problems["arms"] = _("An experiment has at most one hold-out.")
    elif sum(arm.weight for arm in arms) != 100:
        problems["arms"] = _("The arms' shares must add up to 100%% (they add up to %(n)s%%).") % {
            "n": sum(arm.weight for arm in arms)
        }
    codes = [arm.code for arm in arms]
    if len(set(codes)) != len(codes):
        problems["arms"] = _("Each arm needs its own code.")
    for arm in arms:
        if not 1 <= arm.weight <= 99:
            problems["arms"] = _("Each arm's share is between 1% and 99%.")
        if arm.role != ArmRole.CHALLENGER:
            continue
        if subject == Subject.POLICY and arm.policy_version is None:
            problems["arms"] = _("Each challenger names the policy version it tests.")
        elif subject == Subject.TEMPLATE and arm.template_version is None:
            problems["arms"] = _("Each challenger names the template version it tests.")
        elif subject == Subject.OFFER and not arm.offer:
            problems["arms"] = _("Each challenger names the offer it tests.")
        elif subject == Subject.SEND_TIME and (
            arm.send_from_hour is None
            or arm.send_to_hour is None
            or not 0 <= arm.send_from_hour < arm.send_to_hour <= 24
        ):
            problems["arms"] = _("Each challenger names its send hours (from before until).")
    return problems


@transaction.atomic
def experiment_create(
    *,
    user,
    creditor,
    name: str,
    subject: str,
    primary_metric: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    arms: list[ArmSpec],
    segment=None,
    hypothesis: str = "",
    baseline_rate: Decimal | None = None,
    minimum_lift: Decimal | None = None,
    guardrails: dict | None = None,
) -> Experiment:
    """A draft experiment and its arms, their bucket ranges laid out in order of the list."""
    _check_manager(user, creditor.pk)
    if subject not in Subject.values:
        raise ApplicationError(_("Unknown subject."), field="subject")
    if primary_metric not in Metric.values:
        raise ApplicationError(_("Unknown metric."), field="primary_metric")
    if ends_on <= starts_on:
        raise ApplicationError(_("The experiment must end after it starts."), field="ends_on")
    if segment is not None and segment.creditor_id != creditor.pk:
        raise ApplicationError(_("The segment belongs to another creditor."), field="segment")
    guardrails = dict(guardrails or {})
    unknown = set(guardrails) - set(GUARDRAILS)
    if unknown:
        raise ApplicationError(
            _("Unknown guard-rails: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            field="guardrails",
        )
    for key, value in guardrails.items():
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            number = Decimal(-1)
        if not number.is_finite() or number < 0:
            raise ApplicationError(_("A guard-rail is a number of 0 or more."), field="guardrails")
        guardrails[key] = str(number)
    problems = arms_problems(subject=subject, arms=arms)
    for spec in arms:
        offer_values(spec.offer)
    if problems:
        field_name, message = next(iter(problems.items()))
        raise ApplicationError(message, field=field_name)
    experiment = Experiment.objects.create(
        creditor=creditor,
        segment=segment,
        name=name,
        hypothesis=hypothesis,
        subject=subject,
        primary_metric=primary_metric,
        starts_on=starts_on,
        ends_on=ends_on,
        baseline_rate=baseline_rate,
        minimum_lift=minimum_lift,
        guardrails=guardrails,
        hash_key=secrets.token_hex(16),
        created_by=user,
    )
    start = 0
    for spec in arms:
        end = start + spec.weight * BUCKETS // 100
        Arm.objects.create(
            experiment=experiment,
            code=spec.code,
            name=spec.name,
            role=spec.role,
            weight=spec.weight,
            bucket_from=start,
            bucket_to=end,
            policy_version=spec.policy_version,
            template_version=spec.template_version,
            offer=spec.offer or {},
            send_from_hour=spec.send_from_hour,
            send_to_hour=spec.send_to_hour,
        )
        start = end
    _record(experiment, action=ExperimentChange.Action.CREATED, user=user)
    return experiment


def _locked(experiment: Experiment) -> Experiment:
    return Experiment.objects.select_for_update().get(pk=experiment.pk)


@transaction.atomic
def experiment_start(*, user, experiment: Experiment, as_of: datetime.date) -> dict[str, int]:
    """Start it: assign the segment's debtors (set-based); its arms apply from the next cycle."""
    _check_manager(user, experiment.creditor_id)
    experiment = _locked(experiment)
    if not can_proceed(experiment.start):
        raise ApplicationError(_("Only a draft experiment can start."), field="status")
    experiment.start()
    experiment.started_at = timezone.now()
    experiment.save(update_fields=["status", "started_at", "updated_at"])
    counts = assignments_refresh(experiment=experiment, as_of=as_of)
    _record(
        experiment,
        action=ExperimentChange.Action.STARTED,
        user=user,
        note=_("%(n)s debtors assigned.") % {"n": counts["joined"]},
    )
    return counts


@transaction.atomic
def arm_stop(*, user, arm: Arm, reason: str, now=None) -> Arm:
    """Stop an arm (a strategist, or a guard-rail when `user` is None): its debtors stay counted
    in it but get the champion's way from the next cycle."""
    if user is not None:
        _check_manager(user, arm.experiment.creditor_id)
    arm = Arm.objects.select_for_update().select_related("experiment").get(pk=arm.pk)
    if arm.experiment.status != ExperimentStatus.RUNNING:
        raise ApplicationError(_("Only a running experiment's arms can stop."), field="status")
    if arm.role == ArmRole.CHAMPION:
        raise ApplicationError(
            _("The champion cannot stop; stop the experiment instead."), field="arm"
        )
    if not can_proceed(arm.halt):
        raise ApplicationError(_("This arm has already stopped."), field="arm")
    if not reason.strip():
        raise ApplicationError(_("Say why the arm stops."), field="reason")
    now = now or timezone.now()
    arm.halt()
    arm.stopped_at = now
    arm.stopped_reason = reason.strip()[:500]
    arm.save(update_fields=["status", "stopped_at", "stopped_reason"])
    _record(
        arm.experiment,
        action=ExperimentChange.Action.ARM_STOPPED,
        user=user,
        note=arm.stopped_reason,
        arm=arm,
        now=now,
    )
    return arm


@transaction.atomic
def experiment_stop(*, user, experiment: Experiment, reason: str, as_of: datetime.date):
    """End it without a winner: every debtor goes back to the champion's way."""
    _check_manager(user, experiment.creditor_id)
    experiment = _locked(experiment)
    if not can_proceed(experiment.stop):
        raise ApplicationError(_("Only a running experiment can stop."), field="status")
    if not reason.strip():
        raise ApplicationError(_("Say why the experiment stops."), field="reason")
    experiment.stop()
    experiment.ended_at = timezone.now()
    experiment.save(update_fields=["status", "ended_at", "updated_at"])
    assignments_release(experiment=experiment, as_of=as_of)
    _record(experiment, action=ExperimentChange.Action.STOPPED, user=user, note=reason.strip())
    return experiment


def active_arms(experiment: Experiment) -> list[Arm]:
    return list(experiment.arms.filter(status=ArmStatus.ACTIVE).order_by("bucket_from"))
