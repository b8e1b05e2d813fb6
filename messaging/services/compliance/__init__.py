"""The compliance engine: may we contact this debtor, now, on this channel, with this text?

Interface fixed in CONTRACTS.md (additive changes only); rules and sources in
docs/compliance.md. The rule tables live in `rules.py`, one generic evaluator per rule type
in `evaluators.py`.
"""

from messaging.services.compliance.bureau import bureau_report_allowed
from messaging.services.compliance.engine import (
    RuleSet,
    RuleSetCache,
    compliance_check,
    rules_for,
    ruleset_cache,
    visit_check,
    visits_forbidden_by,
)
from messaging.services.compliance.planning import (
    contact_key,
    decision_at,
    first_lawful_moment,
    history_key,
    history_read_as_channels,
    history_span,
    lawful_moment_search,
    lawful_slots,
    refused_whatever_history,
    spread_fraction,
    spread_moment,
)
from messaging.services.compliance.purpose import purpose_for_template
from messaging.services.compliance.types import Contact, Decision, PastContact

__all__ = [
    "Contact",
    "Decision",
    "PastContact",
    "RuleSet",
    "RuleSetCache",
    "bureau_report_allowed",
    "compliance_check",
    "contact_key",
    "decision_at",
    "first_lawful_moment",
    "history_key",
    "history_read_as_channels",
    "history_span",
    "lawful_moment_search",
    "lawful_slots",
    "purpose_for_template",
    "refused_whatever_history",
    "rules_for",
    "ruleset_cache",
    "spread_fraction",
    "spread_moment",
    "visit_check",
    "visits_forbidden_by",
]
