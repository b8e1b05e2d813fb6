from django import template

from ledger.selectors.debt_page import debt_rate_panel

register = template.Library()


@register.inclusion_tag("ledger/_debt_panel.html")
def debt_rate_panel_tag(debt):
    """The debt page checked that its user may see `debt`."""
    return {"debt": debt, "panel": debt_rate_panel(debt)}
