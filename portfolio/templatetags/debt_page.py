"""The debt page's panels that other apps contribute (see portfolio.hooks, portfolio.panels)."""

from django import template

from portfolio.panels import render_slot

register = template.Library()


@register.simple_tag(takes_context=True)
def debt_page_panels(context, slot: str) -> str:
    """Render every panel registered for `slot`, in order, in the page's own context."""
    return render_slot(context, slot)
