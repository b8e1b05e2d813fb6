"""The case panel of the debt page as one inclusion tag (the portfolio view stays as is)."""

from django import template

from collections_app.selectors.case_panel import case_panel_context
from collections_app.selectors.escalation import debt_escalation_context

register = template.Library()


@register.inclusion_tag("collections_app/workspace/_case_panel.html", takes_context=True)
def debt_case_panel(context, debt, user):
    # The debt page has already read the debt's holds and stage changes (escalation panel) and
    # its payments: the timeline takes them from there rather than querying them again.
    escalation = context.get("escalation") or {}
    known = {
        "holds": escalation.get("holds"),
        "stage_changes": escalation.get("stage_changes"),
        "payments": _listed(context.get("payments")),
    }
    return case_panel_context(
        request=context["request"],
        debt=debt,
        known={k: v for k, v in known.items() if v is not None},
    )


def _listed(rows):
    # A queryset is evaluated once and keeps its rows, so the page's own loop over it later
    # reads them from its cache, not from the database.
    return None if rows is None else list(rows)


@register.simple_tag(takes_context=True)
def debt_escalation(context, debt, user, as_of):
    """What the debt page's escalation panel shows (holds, allowed actions, stage history)."""
    return debt_escalation_context(debt=debt, user=user, as_of=as_of)
