"""The case panel of the debt page (call check, log-a-contact form, timeline, assignment)."""

from django.middleware.csrf import get_token

from collections_app.forms import AssignOneForm, InteractionForm
from collections_app.selectors.workspace import TIMELINE_LIMIT, case_holds, case_timeline
from collections_app.services.contacts import contact_check
from collections_app.services.workspace import collectors_queryset
from core.memo import read_once
from core.roles import is_manager
from portfolio.selectors import case_tasks


def case_panel_context(*, request, debt, form=None, known=None) -> dict:
    """`known`: what the debt page already read for the same debt (complete lists of its
    "holds", "stage_changes" and "payments"), so the timeline does not read them again."""
    user = request.user
    known = known or {}
    voice_points = [
        p for p in debt.debtor.contact_points.all() if p.channel == "voice" and p.consent_granted
    ]
    # The timeline's holds, read once: when they are all there (fewer than the cap), the
    # call check takes the open ones from them instead of asking again.
    holds = known.get("holds")
    complete = holds is not None
    if holds is None:
        holds = case_holds(debt=debt)
        complete = len(holds) <= TIMELINE_LIMIT
    open_kinds = frozenset(h.kind for h in holds if h.closed_at is None) if complete else None
    decision = contact_check(debt=debt, channel="voice", holds=open_kinds)
    # The debtor's promises and the debt's tasks are read once for this panel and the
    # agreements panel below it (core.memo.read_once on the page's debt).
    from agreements.selectors import debtor_promises

    promises = read_once(debt, "debtor_promises", lambda: debtor_promises(debtor_id=debt.debtor_id))
    mine = sorted(
        (p for p in promises if p.debt_id == debt.pk),
        key=lambda p: (p.created_at, p.pk),
        reverse=True,
    )
    events, truncated = case_timeline(
        debt=debt,
        holds=holds,
        stage_changes=known.get("stage_changes"),
        payments=known.get("payments"),
        promises=mine,
        tasks=case_tasks(debt=debt)[0],
    )
    manager = is_manager(user)
    return {
        "debt": debt,
        "call_decision": decision,
        "call_point": voice_points[0] if voice_points else None,
        "form": form or InteractionForm(debt=debt, initial={"channel": "call"}),
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
