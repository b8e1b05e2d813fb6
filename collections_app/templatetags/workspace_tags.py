"""The case panel of the debt page as one inclusion tag (the portfolio view stays as is)."""

from django import template

from collections_app.workspace.panel import case_panel_context

register = template.Library()


@register.inclusion_tag("collections_app/workspace/_case_panel.html", takes_context=True)
def debt_case_panel(context, debt, user):
    return case_panel_context(request=context["request"], debt=debt)
