"""Escalation policies: seeding the default, editing (each edit is a new version)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collections_app.models import EscalationPolicy, EscalationPolicyVersion
from collections_app.services.cadence import cadence_problems
from core.exceptions import ApplicationError
from core.roles import is_manager
from core.scoping import user_manages_creditor
from portfolio.models import Creditor

VERSION_FIELDS = (
    "friendly_dpd",
    "firm_dpd",
    "pre_legal_dpd",
    "legal_dpd",
    "legal_min_balance",
    "legal_notice_days",
    "grace_days",
    "cadence",
)


@transaction.atomic
def policy_ensure_defaults(*, creditors=None) -> int:
    """Give every creditor without one the default policy of PRODUCT.md; returns how many."""
    creditors = Creditor.objects.all() if creditors is None else creditors
    have = set(
        EscalationPolicy.objects.filter(is_active=True, product="", segment="").values_list(
            "creditor_id", flat=True
        )
    )
    created = 0
    for creditor in creditors:
        if creditor.id in have:
            continue
        policy = EscalationPolicy.objects.create(creditor=creditor, name=_("Default policy"))
        version = EscalationPolicyVersion.objects.create(
            policy=policy, number=1, change_note=_("Default policy of Cartera")
        )
        policy.current_version = version
        policy.save(update_fields=["current_version", "updated_at"])
        created += 1
    return created


def _check_manager(*, user, creditor) -> None:
    if user is None:
        return  # system and management commands
    if not is_manager(user):
        raise ApplicationError(_("Only managers may change escalation policies."))
    if not user_manages_creditor(user=user, creditor_id=creditor.pk):
        raise ApplicationError(_("You do not manage this creditor."))


def _new_version(*, policy, values: dict, user, note: str) -> EscalationPolicyVersion:
    previous = policy.current_version
    data = {field: getattr(previous, field) for field in VERSION_FIELDS} if previous else {}
    data.update({k: v for k, v in values.items() if k in VERSION_FIELDS})
    if user is not None and previous is not None and data.get("cadence") != previous.cadence:
        # A person's edit (page, admin): every channel enabled, every template there.
        problems = cadence_problems(data["cadence"] or {}, creditor=policy.creditor)
        if problems:
            raise ApplicationError(
                _("The reminder cadence is not valid."), extra={"errors": {"cadence": problems}}
            )
    last = policy.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = EscalationPolicyVersion(
        policy=policy, number=last + 1, created_by=user, change_note=note, **data
    )
    try:
        version.full_clean(exclude=["policy"])
    except ValidationError as exc:
        raise ApplicationError(
            _("The policy is not valid."), extra={"errors": exc.message_dict}
        ) from exc
    version.save()
    return version


@transaction.atomic
def policy_create(
    *, creditor, name: str, product: str = "", segment: str = "", values: dict, user=None
) -> EscalationPolicy:
    """Create a policy for a creditor (optionally one product or segment) with version 1."""
    _check_manager(user=user, creditor=creditor)
    if EscalationPolicy.objects.filter(
        creditor=creditor, product=product, segment=segment, is_active=True
    ).exists():
        raise ApplicationError(_("An active policy already covers this product and segment."))
    policy = EscalationPolicy.objects.create(
        creditor=creditor, name=name, product=product, segment=segment
    )
    policy.current_version = _new_version(
        policy=policy, values=values, user=user, note=_("Created")
    )
    policy.save(update_fields=["current_version", "updated_at"])
    return policy


@transaction.atomic
def policy_update(
    *, policy: EscalationPolicy, values: dict, user=None, note: str = ""
) -> EscalationPolicyVersion:
    """Edit a policy: a new version becomes current; earlier versions stay for the history."""
    policy = EscalationPolicy.objects.select_for_update().get(pk=policy.pk)
    _check_manager(user=user, creditor=policy.creditor)
    version = _new_version(policy=policy, values=values, user=user, note=note)
    policy.current_version = version
    policy.save(update_fields=["current_version", "updated_at"])
    return version


@transaction.atomic
def policy_version_draft(
    *, policy: EscalationPolicy, values: dict, user, note: str
) -> EscalationPolicyVersion:
    """A new version of the policy that does not become current (an experiment's challenger):
    the current version's values with `values` over them, validated as an edit is."""
    policy = EscalationPolicy.objects.select_for_update().get(pk=policy.pk)
    _check_manager(user=user, creditor=policy.creditor)
    return _new_version(policy=policy, values=values, user=user, note=note)
