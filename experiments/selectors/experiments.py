"""Reads of experiments, scoped to the user: managers their creditors', admins all, anyone else
none (an experiment is a strategist's tool). What the create form offers each arm, and the
arm the staff debt page shows."""

from django.db.models import OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from agreements.services.terms import negotiation_policy_for
from analytics.models import SegmentDefinition
from collections_app.models import EscalationPolicy, EscalationPolicyVersion
from core.exceptions import ApplicationError
from core.memo import keep, read_once
from core.page_reads import JSONRows, rows_from_json
from core.roles import is_manager
from core.scoping import scope_for_user
from experiments.models import (
    ArmRole,
    Assignment,
    Experiment,
    ExperimentStatus,
    Subject,
)
from experiments.services.lifecycle import ArmSpec
from messaging.models import MessageTemplateVersion
from messaging.services.templates import active_versions
from portfolio.models import Creditor


def experiments_visible(*, user) -> QuerySet[Experiment]:
    """The experiments `user` may see (managers: their creditors'; admins: all)."""
    if not is_manager(user):
        return Experiment.objects.none()
    return scope_for_user(Experiment.objects.all(), user=user)


def experiment_list(*, user, filters: dict | None = None) -> QuerySet[Experiment]:
    """Visible experiments, newest first, filtered by status, creditor, subject and name."""
    filters = filters or {}
    queryset = experiments_visible(user=user).select_related("creditor", "segment", "winner")
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("creditor"):
        creditor = filters["creditor"]
        queryset = queryset.filter(creditor=getattr(creditor, "pk", creditor))
    if filters.get("subject"):
        queryset = queryset.filter(subject=filters["subject"])
    if filters.get("q"):
        queryset = queryset.filter(name__icontains=filters["q"])
    return queryset.order_by("-created_at", "-id")


def experiment_get(*, user, pk) -> Experiment | None:
    """One visible experiment with its arms and change history, or None."""
    return (
        experiments_visible(user=user)
        .select_related("creditor", "segment", "winner", "created_by")
        .prefetch_related(
            "arms__policy_version__policy",
            "arms__template_version__template",
            "changes__changed_by",
            "changes__arm",
        )
        .filter(pk=pk)
        .first()
    )


def managed_creditors(*, user) -> QuerySet[Creditor]:
    """Creditors the user may run experiments on."""
    if not is_manager(user):
        return Creditor.objects.none()
    return scope_for_user(Creditor.objects.all(), user=user, creditor="").order_by("name")


def creditor_segments(*, creditor) -> QuerySet[SegmentDefinition]:
    return SegmentDefinition.objects.filter(creditor=creditor).order_by("priority", "name")


def champion_policy(*, creditor, segment=None) -> EscalationPolicy | None:
    """The policy today's rule comes from: the segment's own policy, else the creditor's."""
    policies = EscalationPolicy.objects.filter(
        creditor=creditor, is_active=True, product=""
    ).select_related("current_version")
    by_segment = {p.segment: p for p in policies}
    if segment is not None and segment.code in by_segment:
        return by_segment[segment.code]
    return by_segment.get("")


def policy_versions(*, creditor) -> QuerySet[EscalationPolicyVersion]:
    """Every version of the creditor's active policies (a challenger picks a non-current one)."""
    return (
        EscalationPolicyVersion.objects.filter(policy__creditor=creditor, policy__is_active=True)
        .select_related("policy")
        .order_by("policy__name", "-number")
    )


def current_template_versions(*, creditor) -> list[MessageTemplateVersion]:
    """The version each of the creditor's templates sends today (its own, else the default)."""
    versions = active_versions()
    keys = {(code, channel, language) for (_owner, code, channel, language) in versions}
    chosen = []
    for code, channel, language in sorted(keys):
        version = versions.get((creditor.pk, code, channel, language)) or versions.get(
            (None, code, channel, language)
        )
        if version is not None:
            chosen.append(version)
    return chosen


def template_versions(*, creditor) -> QuerySet[MessageTemplateVersion]:
    """Versions of the creditor's and the default templates (a challenger picks one)."""
    return (
        MessageTemplateVersion.objects.filter(
            Q(template__creditor=creditor) | Q(template__creditor__isnull=True)
        )
        .select_related("template")
        .order_by("template__code", "template__channel", "template__language", "-number")
    )


def champion_rule(*, creditor, subject: str, segment=None) -> dict:
    """Today's rule for the champion arm, as ArmSpec field values."""
    if subject == Subject.POLICY:
        policy = champion_policy(creditor=creditor, segment=segment)
        return {"policy_version": policy.current_version if policy else None}
    if subject == Subject.OFFER:
        limits = negotiation_policy_for(creditor)
        return {
            "offer": {
                "max_instalments": limits.self_service_max_instalments,
                "min_down_pct": str(limits.self_service_min_down_pct),
                "early_payment_discount_pct": str(limits.early_payment_discount_pct),
            }
        }
    return {}


def arms_resolve(*, creditor, subject: str, arms: list[dict]) -> list[ArmSpec]:
    """ArmSpecs from plain values (ids for versions), each id checked against the creditor:
    a version of another creditor is refused like an unknown one (400 on `arms`)."""
    policy_ids = {a.get("policy_version") for a in arms if a.get("policy_version")}
    template_ids = {a.get("template_version") for a in arms if a.get("template_version")}
    policies = {v.pk: v for v in policy_versions(creditor=creditor).filter(pk__in=policy_ids)}
    templates = {v.pk: v for v in template_versions(creditor=creditor).filter(pk__in=template_ids)}
    if len(policies) != len(policy_ids):
        raise ApplicationError(_("Unknown policy version for this creditor."), field="arms")
    if len(templates) != len(template_ids):
        raise ApplicationError(_("Unknown template version for this creditor."), field="arms")
    specs = []
    for arm in arms:
        spec = ArmSpec(
            code=arm["code"],
            name=arm["name"],
            role=arm["role"],
            weight=arm["weight"],
            offer=dict(arm.get("offer") or {}),
            send_from_hour=arm.get("send_from_hour"),
            send_to_hour=arm.get("send_to_hour"),
        )
        if subject == Subject.POLICY:
            spec.policy_version = policies.get(arm.get("policy_version"))
        elif subject == Subject.TEMPLATE:
            spec.template_version = templates.get(arm.get("template_version"))
        if spec.role == ArmRole.HOLDOUT:
            spec.policy_version = spec.template_version = None
            spec.offer, spec.send_from_hour, spec.send_to_hour = {}, None, None
        specs.append(spec)
    if subject == Subject.TEMPLATE:
        keys = {
            (s.template_version.template.code, s.template_version.template.channel)
            for s in specs
            if s.template_version is not None
        }
        if len(keys) > 1:
            raise ApplicationError(
                _("Every arm tests a text of the same message and channel."), field="arms"
            )
    if subject == Subject.OFFER:
        from experiments.services.promotion import offer_values

        for spec in specs:
            offer_values(spec.offer)
    return specs


# --- the staff debt page ------------------------------------------------------------------------


def _debt_arm(*, debtor_id, creditor_id) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        debtor_id=debtor_id,
        creditor_id=creditor_id,
        left_on__isnull=True,
        experiment__status=ExperimentStatus.RUNNING,
    ).order_by("-id")[:1]


def debt_arm(debt) -> Assignment | None:
    """The running experiment and arm the debt's debtor is in (read with the page's debt)."""
    rows = read_once(
        debt,
        "experiment_arm",
        lambda: list(
            _debt_arm(debtor_id=debt.debtor_id, creditor_id=debt.creditor_id).select_related(
                "arm", "experiment"
            )
        ),
    )
    return rows[0] if rows else None


def debt_page_reads(*, user) -> dict:
    """The experiment panel's read, made with the page's debt (portfolio.hooks.debt_page_reads)."""
    related = ("arm", "experiment")
    return {
        "_read_experiment_arm": (
            JSONRows(
                _debt_arm(debtor_id=OuterRef("debtor_id"), creditor_id=OuterRef("creditor_id")),
                related=related,
            ),
            lambda debt, text: keep(
                debt, "experiment_arm", rows_from_json(Assignment, text, related=related)
            ),
        )
    }


def promoted_rule(experiment: Experiment) -> str | None:
    """What promotion made the rule, in words (promoted_version_id is a plain id)."""
    if experiment.status != ExperimentStatus.PROMOTED:
        return None
    version_id = experiment.promoted_version_id
    if experiment.subject == Subject.POLICY and version_id:
        version = EscalationPolicyVersion.objects.select_related("policy").filter(pk=version_id)
        version = version.first()
        if version is not None:
            return _("%(policy)s, version %(number)s") % {
                "policy": version.policy.name,
                "number": version.number,
            }
    if experiment.subject == Subject.TEMPLATE and version_id:
        version = MessageTemplateVersion.objects.select_related("template").filter(pk=version_id)
        version = version.first()
        if version is not None:
            template = version.template
            return _("Template %(code)s (%(channel)s, %(language)s), version %(number)s") % {
                "code": template.code,
                "channel": template.get_channel_display(),
                "language": template.language,
                "number": version.number,
            }
    if experiment.subject == Subject.OFFER and version_id:
        return _("The creditor's self-service negotiation limits")
    if experiment.subject == Subject.SEND_TIME and experiment.winner.role == ArmRole.CHALLENGER:
        return _("Recorded only: send hours follow the contact rules of each country")
    return _("Nothing changed: today's rule won")
