"""The experiment note of the staff debt page's header."""

from django import template

from core.roles import is_manager
from experiments.selectors.experiments import debt_arm

register = template.Library()


@register.inclusion_tag("experiments/_debt_note.html")
def debt_experiment_note(debt, user=None):
    """The debt page already checked that its user may see `debt` (and its debtor's arm); the
    link to the experiment is for those who may open it."""
    return {"assignment": debt_arm(debt), "linked": is_manager(user)}
