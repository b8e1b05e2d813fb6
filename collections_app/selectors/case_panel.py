"""What collections_app shows on the debt page: the work panel on its first screen (the
debtor's phones, each with whether it may be called now, and the log-a-contact form), the
header's notes (holds in force, the last contact) and the case timeline.

Reads that several panels need (holds, stage changes, the debt's contacts, the debtor's
promises, the debt's tasks) are made once per page (core.memo.read_once on the page's debt).
"""

from zoneinfo import ZoneInfo

from django.middleware.csrf import get_token
from django.utils import formats
from django.utils.translation import gettext as _

from collections_app.forms import AssignOneForm, InteractionForm
from collections_app.models import Interaction
from collections_app.selectors.calls import case_message_only_numbers, case_phones
from collections_app.selectors.escalation import debt_holds, debt_stage_changes
from collections_app.selectors.workspace import TIMELINE_LIMIT, case_timeline
from collections_app.services.workspace import collectors_queryset
from core.memo import already_read, read_once
from core.money import format_money
from core.roles import is_manager
from portfolio.selectors import case_tasks


def debt_interactions(*, debt) -> list[Interaction]:
    """The debt's newest logged contacts (timeline's worth), read once per page."""
    return read_once(
        debt,
        "interactions",
        lambda: list(
            Interaction.objects.filter(debt=debt).select_related("collector")[: TIMELINE_LIMIT + 1]
        ),
    )


def case_notes_context(*, debt) -> dict:
    """The header's notes: the holds in force and the debt's last logged contact."""
    interactions = debt_interactions(debt=debt)
    return {
        "open_holds": [h for h in debt_holds(debt=debt) if h.closed_at is None],
        "last_contact": interactions[0] if interactions else None,
    }


def case_panel_context(*, request, debt, form=None, confirmation: str = "", at=None) -> dict:
    """The work panel: phones with their call status (the compliance engine's, now, in the
    debtor's local time), the log form (a fresh one, or `form` with its errors), and the
    `confirmation` of a contact just logged."""
    user = request.user
    phones = case_phones(debt=debt, at=at)
    manager = is_manager(user)
    return {
        "debt": debt,
        "phones": phones,
        "message_only_numbers": [] if phones else case_message_only_numbers(debt=debt),
        "local_now": phones[0].status.now if phones else None,
        "form": form or InteractionForm(debt=debt, initial={"channel": "call"}),
        "confirmation": confirmation,
        "assign_form": AssignOneForm(
            collectors=collectors_queryset(), initial={"collector": debt.assigned_to_id}
        )
        if manager
        else None,
        "is_manager": manager,
        "csrf_token": get_token(request),
    }


def case_timeline_context(*, debt, payments=None) -> dict:
    """The case timeline (folded under the work area): everything that happened, newest first.
    `payments`: the debt's payments when the page has read them all."""
    from agreements.selectors import debtor_promises

    # The debtor's promises and the debt's tasks are read once for this panel and the
    # agreements panel (core.memo.read_once on the page's debt).
    promises = read_once(debt, "debtor_promises", lambda: debtor_promises(debtor_id=debt.debtor_id))
    mine = sorted(
        (p for p in promises if p.debt_id == debt.pk),
        key=lambda p: (p.created_at, p.pk),
        reverse=True,
    )
    events, truncated = case_timeline(
        debt=debt,
        holds=debt_holds(debt=debt),
        stage_changes=debt_stage_changes(debt=debt),
        payments=payments,
        promises=mine,
        tasks=case_tasks(debt=debt)[0],
        interactions=debt_interactions(debt=debt),
        # Read with the page's debt when it was (collections_app.selectors.page_reads).
        messages=already_read(debt, "timeline_messages"),
        agreement_changes=already_read(debt, "timeline_agreement_changes"),
        inbound=already_read(debt, "timeline_inbound"),
    )
    return {"debt": debt, "events": events, "truncated": truncated}


def interaction_confirmation(interaction: Interaction) -> str:
    """What the collector is told once a contact is logged: what was recorded, and what it
    started (a promise, a callback, a dispute hold)."""
    parts = [
        _("Contact logged: %(channel)s · %(outcome)s.")
        % {
            "channel": interaction.get_channel_display(),
            "outcome": interaction.get_outcome_display(),
        }
    ]
    if interaction.promise_id:
        promise = interaction.promise
        parts.append(
            _("Promise to pay of %(amount)s on %(date)s recorded.")
            % {
                "amount": format_money(promise.amount, promise.currency),
                "date": formats.date_format(promise.promised_date),
            }
        )
    if interaction.task_id:
        when = _local(interaction.task.due_at, interaction)
        parts.append(
            _("Callback scheduled for %(when)s (the debtor's local time).")
            % {
                "when": f"{formats.date_format(when, 'SHORT_DATE_FORMAT')}"
                f" {formats.time_format(when, 'H:i')}"
            }
        )
    if interaction.hold_id:
        parts.append(_("Dispute opened: contact and escalation are paused until it is resolved."))
    return " ".join(parts)


def _local(moment, interaction):
    try:
        return moment.astimezone(ZoneInfo(interaction.debt.debtor.timezone))
    except (ValueError, KeyError):  # an empty or unknown zone: as stored
        return moment
