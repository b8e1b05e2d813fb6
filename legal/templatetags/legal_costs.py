"""`{% case_costs case user as costs %}`: the costs section's data, for whichever page includes
templates/legal/_case_costs.html (the case page is another view's)."""

from django import template

from legal.selectors.costs import case_costs_context

register = template.Library()


@register.simple_tag
def case_costs(case, user, form=None):
    return case_costs_context(case=case, user=user, form=form)
