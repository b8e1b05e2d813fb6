"""The two-way inbox: store what a debtor writes back once, match it, thread it, triage it.

Every provider (Twilio SMS/WhatsApp, the sandbox, an e-mail inbound hook) hands its inbound to
`inbound_receive`. The same provider message id twice is one row (webhooks are replayed); an
opt-out (STOP, BAJA...) revokes that channel's consent at once and is stored already handled.
"""

import datetime
import re

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.exceptions import ApplicationError
from messaging.addresses import PHONE_CHANNELS, address_normalise
from messaging.models import InboundMessage, InboundStatus, MatchStatus, Message, MessageDebt
from messaging.services.optout import (
    OPT_OUT_KEYWORDS,
    consent_revoke,
    is_stop,
    opt_out_normalise,
)
from portfolio.models import OPEN_STAGES, ContactPoint, Debt, Debtor

OPT_OUT_WORDS = frozenset(opt_out_normalise(k) for k in OPT_OUT_KEYWORDS)
OUTBOUND_STATUSES = (Message.Status.SENT, Message.Status.DELIVERED)


def _addresses(*, channel: str, address: str, raw: str) -> set[str]:
    # Contact points and messages written before normalisation may hold the raw spelling.
    bare = raw.strip()
    if channel in PHONE_CHANNELS and bare.startswith("whatsapp:"):
        bare = bare.removeprefix("whatsapp:")
    return {a for a in (address, bare) if a}


def debtor_candidates(*, channel: str, addresses: set[str]) -> list[int]:
    """Ids of the debtors one of whose contact points is this address (phones across channels)."""
    points = ContactPoint.objects.all()
    if channel == "email":
        which = Q()
        for address in addresses:
            which |= Q(value__iexact=address)
        points = points.filter(which, channel="email")
    else:
        # A number is a number: an SMS from the WhatsApp number (or the one we call) is theirs.
        points = points.filter(channel__in=PHONE_CHANNELS, value__in=addresses)
    return sorted(set(points.values_list("debtor_id", flat=True)))


def _is_opt_out(*, channel: str, subject: str, body: str) -> bool:
    if channel != "email":
        return is_stop(body)
    # An e-mail reply carries the quoted message and a signature, and its first words are
    # often "End of..." or "Cancel the..."; only a subject or first line that is nothing but
    # the keyword is an opt-out (the provider's unsubscribe and complaint events are others).
    first_line = next((line for line in (body or "").splitlines() if line.strip()), "")
    subject = re.sub(r"^\s*((re|aw|rv|fw|fwd)\s*:\s*)+", "", subject or "", flags=re.I)
    return any(opt_out_normalise(text) in OPT_OUT_WORDS for text in (subject, first_line) if text)


def _named_message(in_reply_to: str | None) -> Message | None:
    if not in_reply_to:
        return None
    key = in_reply_to.strip().strip("<>")
    return (
        Message.objects.filter(Q(idempotency_key=key) | Q(provider_message_id=key))
        .order_by("-id")
        .first()
    )


def latest_outbound(
    *, channel: str, addresses: set[str], debtor_id: int, before: datetime.datetime
) -> Message | None:
    """The last message sent to that address on that channel before the reply came in."""
    return (
        Message.objects.filter(
            debtor_id=debtor_id,
            channel=channel,
            to__in=addresses,
            status__in=OUTBOUND_STATUSES,
            sent_at__lte=before,
        )
        .order_by("-sent_at", "-id")
        .first()
    )


def _debt_for(*, debtor_id: int, message: Message | None) -> Debt | None:
    if message is not None:
        covered = (
            MessageDebt.objects.filter(message=message)
            .select_related("debt")
            .order_by("debt_id")
            .first()
        )
        if covered is not None:
            return covered.debt
    debts = Debt.objects.filter(debtor_id=debtor_id)
    return (
        debts.filter(stage__in=OPEN_STAGES).order_by("due_date", "id").first()
        or debts.order_by("-due_date", "id").first()
    )


def _collector_for(*, debtor_id: int, debt: Debt | None):
    if debt is not None and debt.assigned_to_id is not None:
        return debt.assigned_to_id
    return (
        Debt.objects.filter(debtor_id=debtor_id, assigned_to__isnull=False)
        .order_by("due_date", "id")
        .values_list("assigned_to_id", flat=True)
        .first()
    )


def _bind(inbound: InboundMessage, *, debtor: Debtor, message: Message | None, addresses) -> None:
    """Point the inbound at its debtor, thread, debt and collector (not saved)."""
    if message is None:
        message = latest_outbound(
            channel=inbound.channel,
            addresses=addresses,
            debtor_id=debtor.pk,
            before=inbound.received_at,
        )
    inbound.debtor = debtor
    inbound.creditor_id = debtor.creditor_id
    inbound.in_reply_to = message
    inbound.debt = _debt_for(debtor_id=debtor.pk, message=message)
    inbound.assigned_to_id = _collector_for(debtor_id=debtor.pk, debt=inbound.debt)
    inbound.match_status = MatchStatus.MATCHED


def inbound_receive(
    *,
    channel: str,
    address: str,
    body: str,
    provider: str,
    provider_message_id: str,
    received_at: datetime.datetime,
    subject: str = "",
    in_reply_to: str | None = None,
    payload: dict | None = None,
) -> InboundMessage:
    """Store an inbound once per (provider, provider message id), matched and threaded.

    `in_reply_to` is an outbound message's idempotency key or e-mail Message-ID when the
    provider names it; otherwise the thread is the latest message sent to that address.
    An opt-out revokes the channel's consent for every debtor the address may be (at once,
    as before the inbox existed) and is stored handled.
    """
    if channel not in ("sms", "whatsapp", "email"):
        raise ApplicationError(f"unknown inbound channel {channel!r}")
    if not provider_message_id:
        raise ApplicationError("an inbound needs its provider message id")
    if timezone.is_naive(received_at):
        raise ApplicationError("received_at must be timezone-aware")
    existing = InboundMessage.objects.filter(
        provider=provider, provider_message_id=provider_message_id[:200]
    ).first()
    if existing is not None:
        return existing

    normalised = address_normalise(channel=channel, address=address)
    addresses = _addresses(channel=channel, address=normalised, raw=address)
    opt_out = _is_opt_out(channel=channel, subject=subject, body=body)
    inbound = InboundMessage(
        channel=channel,
        address=normalised[:255],
        subject=(subject or "")[:255],
        body=body or "",
        provider=provider,
        provider_message_id=provider_message_id[:200],
        received_at=received_at,
        payload=payload or {},
        is_opt_out=opt_out,
        # An opt-out needs nobody: consent is revoked below, at once.
        status=InboundStatus.HANDLED if opt_out else InboundStatus.UNREAD,
        handled_at=timezone.now() if opt_out else None,
    )
    named = _named_message(in_reply_to)
    if named is not None:
        # The provider said which message this answers: that message's debtor wrote it.
        addresses.add(named.to)
        _bind(inbound, debtor=named.debtor, message=named, addresses=addresses)
        candidates = [named.debtor_id]
    else:
        candidates = debtor_candidates(channel=channel, addresses=addresses)
        if len(candidates) == 1:
            _bind(
                inbound,
                debtor=Debtor.objects.get(pk=candidates[0]),
                message=None,
                addresses=addresses,
            )
        elif candidates:
            inbound.match_status = MatchStatus.AMBIGUOUS
            inbound.candidate_debtor_ids = candidates
    try:
        with transaction.atomic():
            inbound.save()
            if inbound.is_opt_out:
                _opt_out(inbound, candidates=candidates, addresses=addresses)
    except IntegrityError:
        # The same inbound, stored by a concurrent delivery of the same webhook.
        return InboundMessage.objects.get(
            provider=provider, provider_message_id=provider_message_id[:200]
        )
    return inbound


def _opt_out(inbound: InboundMessage, *, candidates: list[int], addresses: set[str]) -> None:
    # Conservative: every debtor the address may be stops hearing from us on that channel.
    note = f"{inbound.channel} reply: {(inbound.body or inbound.subject)[:40]}"
    for debtor_id in sorted(candidates):
        for value in sorted(addresses):
            consent_revoke(debtor_id=debtor_id, channel=inbound.channel, value=value, note=note)
