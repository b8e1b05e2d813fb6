"""The case panel of the debt page (call check, log-a-contact form, timeline, assignment)."""

from django.middleware.csrf import get_token

from collections_app.workspace.contacts import contact_check
from collections_app.workspace.forms import AssignOneForm, InteractionForm, LegalRequestForm
from collections_app.workspace.selectors import case_timeline
from collections_app.workspace.services import collectors_queryset
from core.roles import is_manager


def case_panel_context(*, request, debt, form=None, legal_form=None) -> dict:
    user = request.user
    voice_points = [
        p for p in debt.debtor.contact_points.all() if p.channel == "voice" and p.consent_granted
    ]
    decision = contact_check(debt=debt, channel="voice")
    events, truncated = case_timeline(debt=debt)
    manager = is_manager(user)
    return {
        "debt": debt,
        "call_decision": decision,
        "call_point": voice_points[0] if voice_points else None,
        "form": form or InteractionForm(debt=debt, initial={"channel": "call"}),
        "legal_form": legal_form or LegalRequestForm(),
        "assign_form": AssignOneForm(
            collectors=collectors_queryset(), initial={"collector": debt.assigned_to_id}
        )
        if manager
        else None,
        "is_manager": manager,
        "events": events,
        "truncated": truncated,
        "csrf_token": get_token(request),
    }
