"""The complaints panel of the staff debt page."""

from django import template

from complaints.selectors.complaints import complaint_due_state, debt_complaints
from core.dates import business_today

register = template.Library()


@register.inclusion_tag("complaints/_debt_panel.html")
def debt_complaints_panel(debt, as_of=None):
    """The debt page already checked that its user may see `debt`, so its complaints too."""
    as_of = as_of or business_today()
    complaints = debt_complaints(debt)
    for complaint in complaints:
        if complaint.is_open:
            complaint.due_state, _left = complaint_due_state(complaint, as_of=as_of)
    return {"debt": debt, "complaints": complaints}
