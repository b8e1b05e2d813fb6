"""The ledger's template tags: entry kind labels and the debt page's panel."""

from django import template

from ledger.models import EntryKind
from ledger.selectors.debt_page import debt_rate_panel

register = template.Library()


@register.simple_tag
def entry_kind_label(kind: str) -> str:
    """The translated label of an entry kind (the code itself when unknown)."""
    try:
        return str(EntryKind(kind).label)
    except ValueError:
        return kind


@register.inclusion_tag("ledger/_debt_panel.html")
def debt_rate_panel_tag(debt):
    """The debt page checked that its user may see `debt`."""
    return {"debt": debt, "panel": debt_rate_panel(debt)}
