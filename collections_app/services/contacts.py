"""Interactions as the compliance engine's history, and the workspace's call check.

Every logged call is a `PastContact`: a call that reached the debtor about the debt is a
"conversation" (US-COOLDOWN), any other outbound call a "call_attempt" (US-CALLS); messages a
collector sent by hand (WhatsApp, SMS, e-mail) are "message"s like the outbox's.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from collections_app.models import Interaction
from messaging.services import compliance
from portfolio.models import Channel, Debt, Hold

HISTORY_DAYS = 8  # the longest window of a cap or cool-down (7 days) plus a margin

# Interaction channel -> compliance channel.
COMPLIANCE_CHANNEL = {
    Interaction.Channel.CALL: Channel.VOICE,
    Interaction.Channel.INBOUND_CALL: Channel.VOICE,
    Interaction.Channel.WHATSAPP: Channel.WHATSAPP,
    Interaction.Channel.SMS: Channel.SMS,
    Interaction.Channel.EMAIL: Channel.EMAIL,
}


def past_contact_kind(*, channel: str, outcome: str) -> str | None:
    """The engine's kind of a logged interaction; None when it is no contact we made."""
    talked = outcome in Interaction.RPC_OUTCOMES
    if channel == Interaction.Channel.CALL:
        return "conversation" if talked else "call_attempt"
    if channel == Interaction.Channel.INBOUND_CALL:
        # The debtor called us: not an attempt of ours, but a conversation starts the cool-down.
        return "conversation" if talked else None
    if channel in COMPLIANCE_CHANNEL:
        return "message"
    return None  # visits are not a channel of the engine


def interaction_past_contacts(
    *, debtor_id: int, since: datetime.datetime
) -> list[compliance.PastContact]:
    """The debtor's logged interactions since `since`, as PastContact values (1 query)."""
    rows = Interaction.objects.filter(debtor_id=debtor_id, occurred_at__gte=since).values_list(
        "channel", "outcome", "occurred_at"
    )
    history = []
    for channel, outcome, at in rows:
        kind = past_contact_kind(channel=channel, outcome=outcome)
        if kind is not None:
            history.append(
                compliance.PastContact(
                    debtor_id=debtor_id, channel=COMPLIANCE_CHANNEL[channel], at=at, kind=kind
                )
            )
    return history


def message_past_contacts(
    *, debtor_id: int, since: datetime.datetime
) -> list[compliance.PastContact]:
    """Messages the outbox sent to the debtor since `since` (1 query)."""
    from messaging.models import Message

    rows = Message.objects.filter(
        debtor_id=debtor_id,
        status__in=(Message.Status.SENT, Message.Status.DELIVERED),
        planned_for__gte=since,
    ).values_list("channel", "planned_for", "sent_at")
    return [
        compliance.PastContact(debtor_id=debtor_id, channel=channel, at=sent_at or planned_for)
        for channel, planned_for, sent_at in rows
    ]


def debtor_contact_history(*, debtor_id: int, at: datetime.datetime) -> list:
    since = at - datetime.timedelta(days=HISTORY_DAYS)
    return interaction_past_contacts(debtor_id=debtor_id, since=since) + message_past_contacts(
        debtor_id=debtor_id, since=since
    )


def debt_contact(
    *,
    debt: Debt,
    channel: str,
    at: datetime.datetime,
    consented: bool,
    holds: frozenset[str],
    has_active_agreement: bool = False,
    creditor_name: str = "",
) -> compliance.Contact:
    """The engine's view of a collection contact with the debt's debtor about this debt.

    The contact is about this debt, so its stage is the contact's (no query for the others).
    """
    debtor = debt.debtor
    return compliance.Contact(
        debtor_id=debtor.pk,
        creditor_id=debt.creditor_id,
        country=debtor.country,
        region=(debtor.region or "").upper(),
        timezone=debtor.timezone,
        channel=channel,
        at=at,
        stage=debt.stage,
        purpose="collection",
        consented=consented,
        holds=holds,
        has_active_agreement=has_active_agreement,
        creditor_name=creditor_name,
    )


def contact_check(
    *,
    debt: Debt,
    channel: str = Channel.VOICE,
    at: datetime.datetime | None = None,
    holds: frozenset[str] | None = None,
) -> compliance.Decision:
    """May the collector contact this debt's debtor on `channel` now? (the engine decides).
    `holds`: the kinds of the holds in force on the debt or its debtor, when already read."""
    from agreements.models import AgreementStatus, PaymentAgreement

    at = at or timezone.now()
    debtor = debt.debtor
    points = list(debtor.contact_points.all())
    consented = any(p.channel == channel and p.consent_granted for p in points)
    if holds is None:
        holds = _open_holds(debt)
    active = PaymentAgreement.objects.filter(
        debtor_id=debtor.pk, status=AgreementStatus.ACTIVE
    ).exists()
    contact = debt_contact(
        debt=debt,
        channel=channel,
        at=at,
        consented=consented,
        holds=holds,
        has_active_agreement=active,
        creditor_name=debt.creditor.name,
    )
    history = debtor_contact_history(debtor_id=debtor.pk, at=at)
    return compliance.compliance_check(contact=contact, history=history)


def _open_holds(debt) -> frozenset[str]:
    # A hold on this debt, or a debtor-wide hold (no debt).
    return frozenset(
        Hold.objects.filter(debtor_id=debt.debtor_id, closed_at__isnull=True)
        .filter(Q(debt_id=debt.pk) | Q(debt__isnull=True))
        .values_list("kind", flat=True)
    )


def visit_rule(*, debt: Debt):
    """The compliance rule forbidding field visits to this debt's debtor (CO-VISIT, or the
    DEFAULT-VISIT of a country without a table), or None where visits are lawful."""
    return compliance.visits_forbidden_by(country=debt.debtor.country, region=debt.debtor.region)


def visits_allowed(*, debt: Debt) -> bool:
    return visit_rule(debt=debt) is None


def visit_check(*, debt: Debt, at: datetime.datetime) -> compliance.Decision:
    """May the collector visit this debt's debtor at `at`? The visit rule, then holds, rest
    days and contact hours (MX-WINDOW covers visits), as the engine reads them."""
    contact = debt_contact(
        debt=debt, channel="visit", at=at, consented=True, holds=_open_holds(debt)
    )
    return compliance.visit_check(contact=contact)


def nonpayment_reason_allowed(*, debt: Debt) -> bool:
    """CO-SCRIPT: a collector may not ask a Colombian debtor why they stopped paying."""
    return debt.debtor.country != "CO"
