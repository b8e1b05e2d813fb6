from django import template

from legal.selectors.debt_page import debt_legal_cases

register = template.Library()


@register.inclusion_tag("legal/_debt_panel.html", takes_context=True)
def debt_legal_panel(context, debt):
    """The debt page checked that its user may see `debt`; the case page checks again."""
    return {
        "debt": debt,
        "cases": debt_legal_cases(debt),
        "may_open": context.get("is_manager_or_admin", False),
    }
