"""collections_app's panels of the debt page as inclusion tags (the portfolio view stays as is):
the header's notes, the work panel, the case timeline and the escalation panel."""

from django import template

from collections_app.selectors.case_panel import (
    case_notes_context,
    case_panel_context,
    case_timeline_context,
)
from collections_app.selectors.escalation import debt_escalation_context
from collections_app.selectors.reversals import debt_payments_corrections
from ledger.models import ReversalReason

register = template.Library()


@register.inclusion_tag("collections_app/workspace/_case_notes.html")
def debt_case_notes(debt):
    """Holds in force and the last contact, under the debtor's name."""
    return case_notes_context(debt=debt)


@register.inclusion_tag("collections_app/workspace/_case_panel.html", takes_context=True)
def debt_case_panel(context, debt, user):
    """The work panel: the debtor's phones (callable now, or from when) and the log form."""
    return case_panel_context(request=context["request"], debt=debt)


@register.inclusion_tag("collections_app/workspace/_case_timeline.html", takes_context=True)
def debt_case_timeline(context, debt, user):
    # The debt page has already read the debt's payments: the timeline takes them from there.
    return case_timeline_context(debt=debt, payments=_listed(context.get("payments")))


def _listed(rows):
    # A queryset is evaluated once and keeps its rows, so the page's own loop over it later
    # reads them from its cache, not from the database.
    return None if rows is None else list(rows)


@register.simple_tag(takes_context=True)
def debt_escalation(context, debt, user, as_of):
    """What the debt page's escalation panel shows (holds, allowed actions, stage history)."""
    return debt_escalation_context(debt=debt, user=user, as_of=as_of)


@register.simple_tag
def debt_payments_corrections_context(debt, user, payments):
    """What the debt page's payments list adds: reversals, recoveries, the reverse action."""
    context = debt_payments_corrections(user=user, debt=debt, payments=payments)
    context["reasons"] = ReversalReason.choices
    return context
