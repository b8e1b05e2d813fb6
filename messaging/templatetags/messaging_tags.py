from django import template

from messaging.models.templates import template_label as _template_label
from messaging.selectors import messages_for_debt

register = template.Library()


@register.filter
def template_label(code: str) -> str:
    """A message template code as the name people read, in the active language."""
    return _template_label(code)


@register.inclusion_tag("messaging/_debt_messages.html")
def debt_messages_panel(debt, user):
    """The messages covering a debt (newest first) with every suppression and its rule."""
    items = messages_for_debt(user=user, debt=debt)
    suppressed = sum(1 for m in items if m.status in ("suppressed", "cancelled"))
    return {"debt": debt, "items": items, "suppressed": suppressed}
