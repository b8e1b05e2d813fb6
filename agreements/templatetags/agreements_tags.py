"""The agreements panel of the debt page, as one inclusion tag (the portfolio view stays as is)."""

from django import template

from agreements.forms import PromiseForm
from agreements.models import PromiseToPay
from agreements.selectors import debt_agreements, debtor_promises
from core.memo import read_once
from portfolio.selectors import debt_open_tasks

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
    """Agreements, promises and open tasks of a debt: up to three queries (+1 for a schedule);
    the promises and tasks come from the case panel's reads when it has made them."""
    agreements = debt_agreements(debt=debt, user=user)
    current = next((a for a in agreements if a.is_open), None)
    promises = read_once(debt, "debtor_promises", lambda: debtor_promises(debtor_id=debt.debtor_id))
    counts = dict.fromkeys(PromiseToPay.Status.values, 0)
    for promise in promises:
        counts[promise.status] += 1
    # Taken from the case panel's read of the debt's tasks when it has them all.
    tasks = debt_open_tasks(debt=debt, limit=10)
    return {
        "debt": debt,
        "current": current,
        "past": [a for a in agreements if a is not current],
        "promises": [p for p in promises if p.debt_id == debt.pk][:5],
        "promise_counts": counts,
        "tasks": tasks,
        "promise_form": PromiseForm(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("agreements/_promise_note.html")
def debt_promise_note(debt):
    """The debt's pending promise, for the debt page's header (the debtor's promises are read
    once per page, with the agreements panel's)."""
    promises = read_once(debt, "debtor_promises", lambda: debtor_promises(debtor_id=debt.debtor_id))
    pending = [
        p for p in promises if p.debt_id == debt.pk and p.status == PromiseToPay.Status.PENDING
    ]
    return {"promise": min(pending, key=lambda p: (p.promised_date, p.pk)) if pending else None}
