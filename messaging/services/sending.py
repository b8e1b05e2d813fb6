"""Sending one message: re-check it (useful? lawful now?), render it, hand it to its channel.

The row is locked (`select_for_update(skip_locked=True)`) for the whole send, and the status
change commits with the send: for transactional backends (sandbox, call list) the delivery row
and the status commit together, so a message is sent exactly once whatever crashes. A worker
killed mid-send leaves the row `planned` (its transaction dies with its connection) and the
message is picked up again.
"""

import datetime
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.reasons import reason_split
from messaging.channels import ChannelError, backend_for
from messaging.models import Message, MessageDebt
from messaging.rendering import TemplateRenderError, render_version
from messaging.services import compliance_gateway as gateway
from messaging.services.context import message_context
from messaging.services.planning import contact_for, past_contacts
from messaging.services.templates import active_versions, version_resolve
from portfolio.models import OPEN_STAGES, ContactPoint, Debt, Hold, Stage

logger = logging.getLogger(__name__)


# At send time only contacts that happened count (planned ones compete: the first sent wins).
SENT_STATUSES = (Message.Status.SENT, Message.Status.DELIVERED)


class TransientSendError(Exception):
    """The provider failed in a way worth retrying (the task retries with backoff)."""


@dataclass
class Outcome:
    status: str  # sent, delivered, suppressed, cancelled, failed, retry, skipped
    detail: str = ""


_VERSIONS_CACHE: dict = {"at": None, "versions": {}}


def _versions(now):
    # Template versions change rarely; a worker re-reads them at most every 30 seconds.
    cached_at = _VERSIONS_CACHE["at"]
    if cached_at is None or (now - cached_at).total_seconds() > 30:
        _VERSIONS_CACHE.update(at=now, versions=active_versions())
    return _VERSIONS_CACHE["versions"]


_RULES_CACHE: dict = {"at": None, "rules": None}


def _rules(now):
    # One rule-set cache per worker, refreshed every 30 seconds (creditor overrides change
    # rarely; the law tables are code).
    cached_at = _RULES_CACHE["at"]
    if cached_at is None or (now - cached_at).total_seconds() > 30:
        _RULES_CACHE.update(at=now, rules=gateway.rules_cache())
    return _RULES_CACHE["rules"]


def version_for(*, creditor_id, code, channel, language, now=None):
    """The version a creditor sends for (code, channel, language): its own, else the default."""
    return version_resolve(
        _versions(now or timezone.now()),
        creditor_id=creditor_id,
        code=code,
        channel=channel,
        language=language,
    )


def _close(message: Message, status: str, rule: str, reason) -> Outcome:
    message.status = status
    message.suppression_rule = rule[:40]
    message.suppression_reason = f"{rule}: {reason}"[:500]
    message.suppression_code, message.suppression_params, _text = reason_split(reason)
    message.claim_token = None
    message.claimed_at = None
    message.save(
        update_fields=[
            "status",
            "suppression_rule",
            "suppression_reason",
            "suppression_code",
            "suppression_params",
            "claim_token",
            "claimed_at",
            "updated_at",
        ]
    )
    return Outcome(status, message.suppression_reason)


def _consent(message: Message, debtor) -> bool:
    if message.channel == "letter":
        revoked = ContactPoint.objects.filter(
            debtor=debtor, channel="letter", consent_granted=False
        ).exists()
        return bool(debtor.address_line) and not revoked
    return ContactPoint.objects.filter(
        debtor=debtor, channel=message.channel, value=message.to, consent_granted=True
    ).exists()


def _usefulness(message: Message, debts: list[Debt], at: datetime.datetime, simulate: bool):
    """Why the message is no longer worth sending (rule, reason), or None."""
    open_debts = [d for d in debts if d.stage in OPEN_STAGES]
    if message.purpose != "transactional" and not open_debts:
        return "PAID", _("the debts it covers were paid, settled or written off")
    if message.purpose == "collection" and all(d.stage == Stage.LEGAL for d in open_debts):
        return "LEGAL", _("the case is with the legal team: no automated dunning")
    if not simulate:
        zone = ZoneInfo(message.debtor.timezone)
        if at.astimezone(zone).date() > message.planned_for.astimezone(zone).date():
            return "EXPIRED", _("the day it was planned for has passed")
    return None


@dataclass
class SendFacts:
    """What the send-time checks read, loaded for a whole batch in five queries.

    Read just before the batch is sent (seconds): an opt-out meanwhile also suppresses the
    planned row itself, which the per-message lock re-reads, so it is never missed.
    """

    debts: dict[int, list]
    holds: dict[int, list]
    consented: set
    letter_revoked: set
    history: dict[int, list]


def send_facts_load(message_ids, *, around) -> SendFacts:
    """Prefetch the checks' inputs for a batch of messages (see SendFacts)."""
    rows = list(
        Message.objects.filter(id__in=message_ids).values_list("id", "debtor_id", "channel")
    )
    debtor_ids = {debtor_id for _id, debtor_id, _c in rows}
    debts_by_id = (
        Debt.objects.filter(
            id__in=MessageDebt.objects.filter(message_id__in=message_ids).values("debt_id")
        )
        .select_related("assigned_to")
        .in_bulk()
    )
    debts: dict[int, list] = {}
    for message_id, debt_id in MessageDebt.objects.filter(message_id__in=message_ids).values_list(
        "message_id", "debt_id"
    ):
        debts.setdefault(message_id, []).append(debts_by_id[debt_id])
    holds: dict[int, list] = {}
    for debtor_id, debt_id, kind in Hold.objects.filter(
        debtor_id__in=debtor_ids, closed_at__isnull=True
    ).values_list("debtor_id", "debt_id", "kind"):
        holds.setdefault(debtor_id, []).append((debt_id, kind))
    consented, letter_revoked = set(), set()
    for debtor_id, channel, value, granted in ContactPoint.objects.filter(
        debtor_id__in=debtor_ids
    ).values_list("debtor_id", "channel", "value", "consent_granted"):
        if granted:
            consented.add((debtor_id, channel, value))
        elif channel == "letter":
            letter_revoked.add(debtor_id)
    history: dict[int, list] = {}
    low, high = around - datetime.timedelta(days=8), around + datetime.timedelta(days=8)
    for debtor_id, channel, planned_for, sent_at, key in Message.objects.filter(
        debtor_id__in=debtor_ids,
        status__in=SENT_STATUSES,
        planned_for__gte=low,
        planned_for__lte=high,
    ).values_list("debtor_id", "channel", "planned_for", "sent_at", "idempotency_key"):
        past = gateway.make_past_contact(
            debtor_id=debtor_id, channel=channel, at=sent_at or planned_for
        )
        history.setdefault(debtor_id, []).append((key, past))
    return SendFacts(debts, holds, consented, letter_revoked, history)


def message_send(
    *,
    message_id: int,
    claim_token: str | None = None,
    simulate_at=None,
    last_try=False,
    facts: SendFacts | None = None,
) -> Outcome:
    """Send one planned message once; safe to call twice (the second call does nothing)."""
    outcome = _send_locked(
        message_id=message_id,
        claim_token=claim_token,
        simulate_at=simulate_at,
        last_try=last_try,
        facts=facts,
    )
    if outcome.status == "retry":
        raise TransientSendError(outcome.detail)
    return outcome


@transaction.atomic
def _send_locked(*, message_id, claim_token, simulate_at, last_try, facts=None) -> Outcome:
    message = (
        Message.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("debtor", "creditor")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return Outcome("skipped", "locked by another worker or gone")
    if message.status != Message.Status.PLANNED:
        return Outcome("skipped", f"already {message.status}")
    if claim_token and message.claim_token and str(message.claim_token) != str(claim_token):
        return Outcome("skipped", "claimed again by a newer dispatch")
    now = timezone.now()
    at = simulate_at or now
    if facts is not None and message.id in facts.debts:
        debts = facts.debts[message.id]
    else:
        facts = None
        debts = list(
            Debt.objects.filter(
                id__in=MessageDebt.objects.filter(message=message).values("debt_id")
            ).select_related("assigned_to")
        )
    debt_ids = {d.id for d in debts}
    reason = _usefulness(message, debts, at, simulate=simulate_at is not None)
    if reason:
        return _close(message, Message.Status.CANCELLED, *reason)

    debtor = message.debtor
    open_debts = [d for d in debts if d.stage in OPEN_STAGES] or debts
    version = version_for(
        creditor_id=message.creditor_id,
        code=message.template,
        channel=message.channel,
        language=message.language,
    )
    if version is None:
        return _close(message, Message.Status.CANCELLED, "NO-TEMPLATE", _("no active template"))
    collector = next((d.assigned_to for d in open_debts if d.assigned_to_id), None)
    context = message_context(
        debtor=debtor,
        creditor=message.creditor,
        debts=open_debts,
        language=message.language,
        as_of=message.business_date,
        message_id=message.id,
        collector=collector,
    )
    try:
        rendered = render_version(version, context, channel=message.channel)
    except TemplateRenderError as exc:
        return _close(message, Message.Status.FAILED, "TEMPLATE", str(exc))

    if facts is not None:
        holds = facts.holds.get(debtor.id, [])
        if message.channel == "letter":
            consented = bool(debtor.address_line) and debtor.id not in facts.letter_revoked
        else:
            consented = (debtor.id, message.channel, message.to) in facts.consented
        history = [
            past for key, past in facts.history.get(debtor.id, []) if key != message.idempotency_key
        ]
    else:
        holds = Hold.objects.filter(debtor=debtor, closed_at__isnull=True).values_list(
            "debt_id", "kind"
        )
        consented = _consent(message, debtor)
        history = past_contacts([debtor.id], around=at, exclude_keys=[message.idempotency_key]).get(
            debtor.id, []
        )
    kinds = {kind for debt_id, kind in holds if debt_id is None or debt_id in debt_ids}
    contact = contact_for(
        group_channel=message.channel,
        debtor={
            "id": debtor.id,
            "country": debtor.country,
            "region": debtor.region,
            "timezone": debtor.timezone,
        },
        creditor_id=message.creditor_id,
        stage=message.stage,
        purpose=message.purpose,
        consented=consented,
        holds=kinds,
        at=at,
        content=(rendered.subject + "\n" + rendered.body).strip(),
        creditor_name=message.creditor.name,
    )
    decision = gateway.check(contact=contact, history=history, rules=_rules(now))
    if not decision.allowed:
        return _close(
            message,
            Message.Status.SUPPRESSED,
            decision.rule or "COMPLIANCE",
            decision.coded or decision.reason,
        )

    message.subject, message.body = rendered.subject, rendered.body
    message.template_version = version
    if message.channel == "voice":
        message.collector = collector
    message.attempts += 1
    try:
        result = backend_for(message.channel).send(message, rendered)
    except ChannelError as exc:
        message.last_error = str(exc)[:2000]
        fields = ["attempts", "last_error", "updated_at"]
        if exc.transient and not last_try:
            message.claimed_at = now  # keeps the lease while the retry waits
            message.save(update_fields=[*fields, "claimed_at"])
            return Outcome("retry", message.last_error)
        message.status = Message.Status.FAILED
        message.claim_token, message.claimed_at = None, None
        message.save(update_fields=[*fields, "status", "claim_token", "claimed_at"])
        return Outcome("failed", message.last_error)
    message.status = Message.Status.DELIVERED if result.delivered else Message.Status.SENT
    message.sent_at = now if simulate_at is None else simulate_at
    if facts is not None:  # the next message of this debtor in the batch sees this contact
        facts.history.setdefault(debtor.id, []).append(
            (
                message.idempotency_key,
                gateway.make_past_contact(
                    debtor_id=debtor.id, channel=message.channel, at=message.sent_at
                ),
            )
        )
    message.provider_message_id = result.provider_message_id[:120]
    message.last_error = ""
    message.claim_token, message.claimed_at = None, None
    message.save(
        update_fields=[
            "status",
            "sent_at",
            "provider_message_id",
            "subject",
            "body",
            "template_version",
            "collector",
            "attempts",
            "last_error",
            "claim_token",
            "claimed_at",
            "updated_at",
        ]
    )
    return Outcome(message.status)
