"""The two-way inbox: store what a debtor writes back once, match it, thread it, triage it.

Every provider (Twilio SMS/WhatsApp, the sandbox, an e-mail inbound hook) hands its inbound to
`inbound_receive`. The same provider message id twice is one row (webhooks are replayed); an
opt-out (STOP, BAJA...) revokes that channel's consent at once and is stored already handled.
"""

import datetime
import re

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.roles import ADMIN, COLLECTOR, MANAGER, user_role
from core.scoping import user_manages_creditor
from messaging.addresses import PHONE_CHANNELS, address_normalise
from messaging.models import InboundMessage, InboundStatus, MatchStatus, Message, MessageDebt
from messaging.selectors.inbound import service_window_open
from messaging.services import compliance_gateway as gateway
from messaging.services.arms import arm_id_for
from messaging.services.optout import (
    OPT_OUT_KEYWORDS,
    consent_revoke,
    is_stop,
    opt_out_normalise,
)
from messaging.services.sending import FREE_TEXT_TEMPLATE, TransientSendError, message_send
from messaging.tasks import send_message
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
    # Compared without case (the contact_point_value_ci index): "Ana@Example.com" is on file.
    points = ContactPoint.objects.alias(value_ci=Upper("value")).filter(
        value_ci__in=sorted(a.upper() for a in addresses)
    )
    # A number is a number: an SMS from the WhatsApp number (or the one we call) is theirs.
    channels = ["email"] if channel == "email" else sorted(PHONE_CHANNELS)
    points = points.filter(channel__in=channels)
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
    if not key:
        # "<>" names no message (and '' would match every message not sent yet).
        return None
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
    values = set(addresses)
    if inbound.channel == "email":
        # An e-mail address may be on file in another case ("Ana@Example.com").
        which = Q()
        for address in addresses:
            which |= Q(value__iexact=address)
        values |= set(
            ContactPoint.objects.filter(
                which, debtor_id__in=candidates, channel="email"
            ).values_list("value", flat=True)
        )
    for debtor_id in sorted(candidates):
        for value in sorted(values):
            consent_revoke(debtor_id=debtor_id, channel=inbound.channel, value=value, note=note)


# --- triage: read, handled, assigned, matched -------------------------------------------------


def _locked(inbound: InboundMessage) -> InboundMessage:
    return InboundMessage.objects.select_for_update().get(pk=inbound.pk)


def _may_manage(actor, inbound: InboundMessage) -> bool:
    """Managers (of the inbound's creditor, or of any for the unmatched) and admins."""
    role = user_role(actor)
    if role == ADMIN:
        return True
    if role != MANAGER:
        return False
    return inbound.creditor_id is None or user_manages_creditor(
        user=actor, creditor_id=inbound.creditor_id
    )


@transaction.atomic
def inbound_mark_read(*, inbound: InboundMessage, actor) -> InboundMessage:
    """Opened: unread becomes read (anything else stays as it is)."""
    inbound = _locked(inbound)
    if inbound.status == InboundStatus.UNREAD:
        inbound.mark_read()
        inbound.read_at, inbound.read_by = timezone.now(), actor
        inbound._history_user = actor
        inbound.save(update_fields=["status", "read_at", "read_by", "updated_at"])
    return inbound


# How an inbound was handled, as codes the pages translate (handled_note; "" for by hand).
HANDLED_REPLIED = "replied"
HANDLED_COMPLAINT = "complaint"


@transaction.atomic
def inbound_mark_handled(
    *, inbound: InboundMessage, actor, note: str = "", complaint_id: int | None = None
) -> InboundMessage:
    """Nothing more to do on it (answered, made a complaint...); who and when are kept.

    Handled twice is handled once: the first who and when stay."""
    inbound = _locked(inbound)
    fields = []
    if inbound.status != InboundStatus.HANDLED:
        if inbound.status == InboundStatus.UNREAD:
            inbound.read_at, inbound.read_by = timezone.now(), actor
            fields += ["read_at", "read_by"]
        inbound.mark_handled()
        inbound.handled_at, inbound.handled_by = timezone.now(), actor
        inbound.handled_note = (note or "")[:255]
        fields += ["status", "handled_at", "handled_by", "handled_note"]
    if complaint_id is not None and inbound.complaint_id is None:
        inbound.complaint_id = complaint_id
        fields.append("complaint_id")
    if fields:
        inbound._history_user = actor
        inbound.save(update_fields=[*fields, "updated_at"])
    return inbound


@transaction.atomic
def inbound_reopen(*, inbound: InboundMessage, actor) -> InboundMessage:
    """Handled too early: back to the team, read. An opt-out stays handled."""
    inbound = _locked(inbound)
    if inbound.is_opt_out:
        raise ApplicationError(_("An opt-out is handled by itself: consent was revoked."))
    if inbound.status == InboundStatus.HANDLED:
        inbound.reopen()
        inbound.handled_at, inbound.handled_by, inbound.handled_note = None, None, ""
        inbound._history_user = actor
        inbound.save(
            update_fields=["status", "handled_at", "handled_by", "handled_note", "updated_at"]
        )
    return inbound


@transaction.atomic
def inbound_assign(*, inbound: InboundMessage, actor, collector) -> InboundMessage:
    """A manager hands the inbound to a collector (None: to nobody)."""
    if not _may_manage(actor, inbound):
        raise ApplicationError(_("Only a manager may assign inbound messages."))
    if inbound.debtor_id is None and collector is not None:
        raise ApplicationError(_("Match the message to its debtor before assigning it."))
    if collector is not None and user_role(collector) != COLLECTOR:
        raise ApplicationError(_("Choose a collector."), field="collector")
    inbound = _locked(inbound)
    inbound.assigned_to = collector
    inbound._history_user = actor
    inbound.save(update_fields=["assigned_to", "updated_at"])
    return inbound


@transaction.atomic
def inbound_match(*, inbound: InboundMessage, actor, debtor: Debtor) -> InboundMessage:
    """A manager says which of the candidate debtors wrote it; thread, debt and collector follow."""
    if user_role(actor) not in (ADMIN, MANAGER) or not user_manages_creditor(
        user=actor, creditor_id=debtor.creditor_id
    ):
        raise ApplicationError(_("Only a manager of the debtor's creditor may match it."))
    inbound = _locked(inbound)
    if inbound.debtor_id is not None:
        raise ApplicationError(_("This message is already matched to its debtor."))
    if debtor.pk not in inbound.candidate_debtor_ids:
        raise ApplicationError(_("Choose one of the debtors this address belongs to."))
    addresses = {inbound.address}
    _bind(inbound, debtor=debtor, message=None, addresses=addresses)
    inbound.matched_by, inbound.matched_at = actor, timezone.now()
    inbound._history_user = actor
    inbound.save()
    return inbound


# --- replying through the outbox --------------------------------------------------------------

REPLY_TEMPLATE = FREE_TEXT_TEMPLATE
REPLY_MAX = {"sms": 1600, "whatsapp": 4096, "email": 20000}


def reply_allowed(*, inbound: InboundMessage, at: datetime.datetime) -> str:
    """Why a free-text reply may not go now ("" when it may)."""
    if inbound.debtor_id is None:
        return _("Match the message to its debtor before replying.")
    if inbound.is_opt_out:
        return _("The debtor opted out of this channel: no reply may be sent on it.")
    if inbound.channel == "whatsapp" and not service_window_open(
        channel="whatsapp", address=inbound.address, at=at
    ):
        return _(
            "WhatsApp's 24-hour service window is closed: the debtor last wrote more than 24 "
            "hours ago, so only an approved template may be sent (the daily cycle sends those). "
            "Reply by SMS or e-mail, or wait for the debtor to write again."
        )
    return ""


def inbound_reply(
    *,
    inbound: InboundMessage,
    actor,
    text: str,
    key: str,
    at: datetime.datetime,
    subject: str = "",
) -> Message:
    """A free-text answer to an inbound, sent through the outbox: a new Message to the same
    address that the compliance engine checks and the channel sends like any other.

    `key` names this reply (the form's one-time token): the same key twice is one message.
    Refused on WhatsApp outside the 24-hour service window (a template is needed there)."""
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("Write the reply."), field="text")
    limit = REPLY_MAX[inbound.channel]
    if len(text) > limit:
        raise ApplicationError(
            _("The reply is too long (%(limit)s characters at most).") % {"limit": limit},
            field="text",
        )
    if not key or len(key) > 64:
        raise ApplicationError(_("The form expired: open the message again."), field="key")
    idempotency_key = f"{REPLY_TEMPLATE}:{inbound.pk}:{key}"
    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    refused = reply_allowed(inbound=inbound, at=at)
    if refused:
        raise ApplicationError(refused, field="text")
    debtor = inbound.debtor
    debts = _reply_debts(inbound)
    if inbound.channel == "email" and not subject:
        original = inbound.subject or (inbound.in_reply_to.subject if inbound.in_reply_to else "")
        subject = original if original.lower().startswith("re:") else f"Re: {original}".strip()
    # The address as the contact point spells it: consent is looked up by that value.
    to = (
        ContactPoint.objects.filter(
            debtor_id=debtor.pk,
            channel=inbound.channel,
            value__in=_addresses(channel=inbound.channel, address=inbound.address, raw=""),
        )
        .values_list("value", flat=True)
        .first()
        or inbound.address
    )
    with transaction.atomic():
        message, created = Message.objects.get_or_create(
            idempotency_key=idempotency_key,
            defaults={
                "creditor_id": debtor.creditor_id,
                "debtor": debtor,
                "channel": inbound.channel,
                "template": REPLY_TEMPLATE,
                "purpose": gateway.purpose_for(REPLY_TEMPLATE),
                "stage": debts[0].stage if debts else "current",
                "language": debtor.language or "es",
                "business_date": timezone.localdate(at),
                "to": to,
                "planned_for": at,
                "subject": subject[:255],
                "body": text,
                # Whose reply it is (the voice field names the call list's collector the same way).
                "collector": actor,
                "experiment_arm_id": arm_id_for(
                    debtor_id=debtor.pk, creditor_id=debtor.creditor_id
                ),
            },
        )
        if created:
            MessageDebt.objects.bulk_create(
                [MessageDebt(message=message, debt=debt) for debt in debts]
            )
    if created:
        try:
            message_send(message_id=message.pk)
        except TransientSendError:
            # Stays planned: the retried task (or the next dispatch) sends it.
            send_message.apply_async((message.pk,), countdown=30)
        message.refresh_from_db()
    return message


def _reply_debts(inbound: InboundMessage) -> list[Debt]:
    if inbound.in_reply_to_id is not None:
        covered = list(
            Debt.objects.filter(
                pk__in=MessageDebt.objects.filter(message_id=inbound.in_reply_to_id).values(
                    "debt_id"
                )
            ).order_by("due_date", "id")
        )
        if covered:
            return covered
    if inbound.debt_id is not None:
        return [inbound.debt]
    return list(Debt.objects.filter(debtor_id=inbound.debtor_id).order_by("due_date", "id")[:1])
