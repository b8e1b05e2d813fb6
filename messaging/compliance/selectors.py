"""Reads for the contact-rules pages, scoped to the creditors the user manages."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.roles import is_manager
from messaging.compliance import rules as tables
from messaging.compliance.overrides import OVERRIDABLE_TYPES, tighten
from messaging.models import ComplianceOverride
from portfolio.selectors import creditor_list

SECTIONS = (
    (_("Everywhere"), tables.EVERYWHERE),
    (_("Colombia"), tables.CO),
    (_("Mexico"), tables.MX),
    (_("United States"), tables.US),
    (_("United States: Massachusetts"), tables.US_MA),
    (_("Other countries (conservative default)"), tables.DEFAULT),
)


def compliance_override_list(*, user, creditor=None) -> QuerySet[ComplianceOverride]:
    if not is_manager(user):
        return ComplianceOverride.objects.none()
    qs = ComplianceOverride.objects.filter(creditor__in=creditor_list(user=user)).select_related(
        "creditor", "updated_by"
    )
    if creditor is not None:
        qs = qs.filter(creditor=creditor)
    return qs


def effective_rules(*, overrides) -> list[dict]:
    """Per jurisdiction: each legal rule and what the creditor's active override makes of it."""
    by_rule = {o.rule_id: o for o in overrides}
    out = []
    for title, layer in SECTIONS:
        rows = []
        for law in layer:
            override = by_rule.get(law.id)
            effective = tighten(law, override.params) if override and override.is_active else law
            rows.append(
                {
                    "rule": law,
                    "effective": effective,
                    "override": override,
                    "overridable": law.type in OVERRIDABLE_TYPES,
                }
            )
        out.append({"title": title, "rows": rows})
    return out
