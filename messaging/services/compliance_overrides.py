"""Writes for creditor overrides (stricter-than-law rule parameters)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.scoping import user_manages_creditor
from messaging.models import ComplianceOverride
from messaging.services.compliance.overrides import overridable_rules, override_errors


def _check_access(*, user, creditor):
    if not user_manages_creditor(user=user, creditor_id=creditor.pk):
        raise ApplicationError(_("You do not manage this creditor."))


@transaction.atomic
def compliance_override_save(
    *, user, creditor, rule_id: str, params: dict, note: str = "", is_active: bool = True
) -> ComplianceOverride:
    """Create or replace the creditor's override of `rule_id`; refused if looser than the law."""
    _check_access(user=user, creditor=creditor)
    rule = overridable_rules().get(rule_id)
    if rule is None:
        raise ApplicationError(
            _("This rule does not exist or cannot be changed per creditor."), field="rule_id"
        )
    errors = override_errors(rule, params)
    if errors:
        raise ApplicationError(" ".join(errors), field="params")
    existing = (
        ComplianceOverride.objects.select_for_update()
        .filter(creditor=creditor, rule_id=rule_id)
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                return ComplianceOverride.objects.create(
                    creditor=creditor,
                    rule_id=rule_id,
                    params=params,
                    note=note,
                    is_active=is_active,
                    updated_by=user,
                )
        except IntegrityError:  # a concurrent create won: update that row instead
            existing = ComplianceOverride.objects.select_for_update().get(
                creditor=creditor, rule_id=rule_id
            )
    existing.params, existing.note, existing.is_active = params, note, is_active
    existing.updated_by = user
    existing.save(update_fields=["params", "note", "is_active", "updated_by", "updated_at"])
    return existing


@transaction.atomic
def compliance_override_delete(*, user, override: ComplianceOverride) -> None:
    """Remove an override: the legal default applies again (the history keeps the row)."""
    _check_access(user=user, creditor=override.creditor)
    override.delete()
