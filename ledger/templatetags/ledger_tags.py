"""Labels of the ledger's codes in templates."""

from django import template

from ledger.models import EntryKind

register = template.Library()


@register.simple_tag
def entry_kind_label(kind: str) -> str:
    """The translated label of an entry kind (the code itself when unknown)."""
    try:
        return str(EntryKind(kind).label)
    except ValueError:
        return kind
