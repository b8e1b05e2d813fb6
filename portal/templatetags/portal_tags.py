"""The debtor portal panel of the staff debt page: what the debtor did and asked for online."""

from django import template

from core.memo import read_once
from portal import session
from portal.models import AccessCode, ContactPreference, PaymentIntent
from portal.selectors import debt_disputes
from portfolio.models import PaymentReference

register = template.Library()


@register.inclusion_tag("portal/_debt_panel.html")
def debt_portal_panel(debt, user):
    """The debt page already checked that `user` may see `debt`.

    One query when the debtor never signed in to the portal (everything below needs a
    sign-in, which leaves an access code), five otherwise.
    """
    # Read with the page's debt when it was (portal.apps: portfolio.hooks.debt_page_reads).
    used = read_once(
        debt,
        "portal_used",
        lambda: AccessCode.objects.filter(debtor_id=debt.debtor_id).exists(),
    )
    if not used:
        return {"debt": debt, "unused": True}
    return {
        "debt": debt,
        "reference": PaymentReference.objects.filter(debt=debt).first(),
        "preference": ContactPreference.objects.filter(debtor_id=debt.debtor_id).first(),
        "disputes": debt_disputes(debt)[:5],
        "intents": list(PaymentIntent.objects.filter(debt=debt).order_by("-created_at")[:5]),
    }


@register.inclusion_tag("portal/_help.html", takes_context=True)
def portal_help(context):
    """Whom to call, on every portal page: the creditor once known, else the support line."""
    request = context.get("request")
    return {"contact": session.contact(request) if request is not None else None}
