"""The debt page's panels that other apps contribute (see portfolio.hooks)."""

from django import template
from django.utils.safestring import mark_safe

from portfolio import hooks

register = template.Library()

_SLOTS = {"case": hooks.debt_page_case_panels, "activity": hooks.debt_page_activity_panels}
_compiled: dict[str, template.Template] = {}


@register.simple_tag(takes_context=True)
def debt_page_panels(context, slot: str) -> str:
    """Render every panel registered for `slot`, in order, in the page's own context."""
    parts = []
    for snippet in _SLOTS[slot]:
        source = snippet()
        if source not in _compiled:
            _compiled[source] = template.Template(source)
        parts.append(_compiled[source].render(context))
    return mark_safe("".join(parts))
