"""The credit-bureau panel of the staff debt page."""

from django import template

from bureau.selectors.pages import debt_bureau_lines, debt_notice_messages
from messaging.services.compliance.certified import certified_required

register = template.Library()


@register.inclusion_tag("bureau/_debt_panel.html", takes_context=True)
def debt_bureau_panel(context, debt):
    """The debt page already checked that its user may see `debt`, so its bureau history too:
    the prior notices sent before a report, and what each run reported (a manager follows a
    line to its run; a collector reads it only)."""
    notices = debt_notice_messages(debt)
    for n in notices:
        # A certified letter counts only with its proof of receipt (its delivered_at).
        n.certified = certified_required(
            country=debt.debtor.country, template=n.template, channel=n.channel
        )
    return {
        "debt": debt,
        "notices": notices,
        "lines": debt_bureau_lines(debt),
        "may_open_runs": context.get("is_manager_or_admin", False),
    }
