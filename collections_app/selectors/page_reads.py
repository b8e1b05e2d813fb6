"""collections_app's reads of the debt page made in the query of the page's debt
(portfolio.hooks.debt_page_reads, core.page_reads): the case timeline's sources, the holds and
stage changes the escalation panel and the header share, and what the work panel's call check
needs (consent, an active agreement, holds in force, the last days' contacts).

Each read is the same queryset its panel would run (same rows, order, related objects), kept
under the key of the panel's read_once, so the page makes one query where it made a dozen.
"""

import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import JSONObject
from django.utils import timezone

from agreements.models import AgreementChange, AgreementStatus, PaymentAgreement
from collections_app.models import Interaction
from collections_app.selectors.workspace import (
    TIMELINE_LIMIT,
    timeline_agreement_changes,
    timeline_inbound,
    timeline_messages,
)
from collections_app.services.contacts import HISTORY_DAYS
from core.memo import keep
from core.page_reads import JSONRows, rows_from_json
from messaging.models import InboundMessage, Message
from portfolio.models import Channel, ContactPoint, Hold, StageChange, Task
from portfolio.selectors import CASE_TASKS_LIMIT

# The call check counts the contacts of the HISTORY_DAYS before the moment it asks about (a
# little after the page's debt is read): one more day is read, and the check cuts at its own
# moment (collections_app.selectors.calls.contact_histories_from).
HISTORY_MARGIN = datetime.timedelta(days=HISTORY_DAYS + 1)


def _keeper(key: str, model, related=()):
    return lambda debt, text: keep(debt, key, rows_from_json(model, text, related=related))


def _keep_tasks(debt, text) -> None:
    rows = rows_from_json(Task, text, related=("created_by", "assigned_to"))
    keep(debt, f"case_tasks:{CASE_TASKS_LIMIT}", (rows, len(rows) <= CASE_TASKS_LIMIT))


def _keep_stage_changes(debt, text) -> None:
    from collections_app.selectors.escalation import attach_policy_versions

    changes = rows_from_json(StageChange, text, related=("actor",))
    keep(debt, "stage_changes", attach_policy_versions(changes))


def _keep_call_facts(debt, value: dict) -> None:
    facts = (value["voice"], value["agreement"], frozenset(value["hold_kinds"] or ()))
    keep(debt, "call_facts", {debt.pk: facts})
    keep(
        debt,
        "contact_history_rows",
        (
            rows_from_json(Interaction, value["interactions"]),
            rows_from_json(Message, value["messages"]),
        ),
    )


def case_page_reads(*, user) -> dict:
    """The reads above, for portfolio.hooks.debt_page_reads."""
    n = TIMELINE_LIMIT + 1
    since = timezone.now() - HISTORY_MARGIN
    debt, debtor = OuterRef("pk"), OuterRef("debtor_id")
    holds_in_force = Hold.objects.filter(debtor_id=debtor, closed_at__isnull=True).filter(
        Q(debt_id=debt) | Q(debt__isnull=True)
    )
    return {
        "_read_interactions": (
            JSONRows(Interaction.objects.filter(debt_id=debt)[:n], related=("collector",)),
            _keeper("interactions", Interaction, ("collector",)),
        ),
        "_read_holds": (
            JSONRows(
                Hold.objects.filter(Q(debt_id=debt) | Q(debtor_id=debtor, debt__isnull=True)),
                related=("opened_by", "closed_by"),
            ),
            _keeper("holds", Hold, ("opened_by", "closed_by")),
        ),
        "_read_stage_changes": (
            JSONRows(StageChange.objects.filter(debt_id=debt), related=("actor",)),
            _keep_stage_changes,
        ),
        "_read_tasks": (
            JSONRows(
                Task.objects.filter(debt_id=debt).order_by("-created_at", "-id")[
                    : CASE_TASKS_LIMIT + 1
                ],
                related=("created_by", "assigned_to"),
            ),
            _keep_tasks,
        ),
        "_read_messages": (
            JSONRows(timeline_messages(debt_id=debt)[:n], fields=timeline_messages.fields),
            _keeper("timeline_messages", Message),
        ),
        "_read_inbound": (
            JSONRows(
                timeline_inbound(debt_id=debt, inner_debt_id=OuterRef(OuterRef("pk")))[:n],
                fields=timeline_inbound.fields,
            ),
            _keeper("timeline_inbound", InboundMessage),
        ),
        "_read_agreement_changes": (
            JSONRows(timeline_agreement_changes(debt_id=debt)[:n], related=("actor", "agreement")),
            _keeper("timeline_agreement_changes", AgreementChange, ("actor", "agreement")),
        ),
        "_read_call_facts": (
            JSONObject(
                voice=Exists(
                    ContactPoint.objects.filter(
                        debtor_id=debtor, channel=Channel.VOICE, consent_granted=True
                    )
                ),
                agreement=Exists(
                    PaymentAgreement.objects.filter(debtor_id=debtor, status=AgreementStatus.ACTIVE)
                ),
                # A set of kinds: no order to compile or sort.
                hold_kinds=ArraySubquery(holds_in_force.values("kind").order_by()),
                interactions=JSONRows(
                    Interaction.objects.filter(debtor_id=debtor, occurred_at__gte=since),
                    fields=("debtor_id", "channel", "outcome", "occurred_at"),
                ),
                messages=JSONRows(
                    Message.objects.filter(
                        debtor_id=debtor,
                        status__in=(Message.Status.SENT, Message.Status.DELIVERED),
                        planned_for__gte=since,
                    ),
                    fields=("debtor_id", "channel", "planned_for", "sent_at"),
                ),
            ),
            _keep_call_facts,
        ),
    }
