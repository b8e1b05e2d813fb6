"""The agreements panel of the debt page, as one inclusion tag (the portfolio view stays as is)."""

from django import template

from agreements.forms import PromiseForm
from agreements.models import PromiseToPay
from agreements.selectors import debt_agreements, debtor_promise_counts

register = template.Library()

STATUS_TAGS = {
    "active": "tag--ok",
    "completed": "tag--ok",
    "broken": "tag--no",
    "rejected": "tag--no",
    "pending_approval": "",
    "draft": "",
    "cancelled": "",
    "kept": "tag--ok",
}


@register.filter
def status_tag(status: str) -> str:
    """The CSS modifier for an agreement / promise / instalment status."""
    return STATUS_TAGS.get(str(status), "tag--no" if status in ("missed",) else "")


@register.inclusion_tag("agreements/_debt_panel.html", takes_context=True)
def debt_agreements_panel(context, debt, user):
    agreements = debt_agreements(debt=debt, user=user)
    current = next((a for a in agreements if a.is_open), None)
    return {
        "debt": debt,
        "current": current,
        "past": [a for a in agreements if a is not current],
        "promises": list(PromiseToPay.objects.filter(debt=debt).select_related("created_by")[:5]),
        "promise_counts": debtor_promise_counts(debtor_id=debt.debtor_id),
        "promise_form": PromiseForm(),
        "csrf_token": context.get("csrf_token"),
    }
