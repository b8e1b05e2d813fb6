"""Sending: re-check each message (useful? lawful now?), render it, hand it to its channel.

A batch is sent in one transaction, set-based: its rows are locked by one query
(`select_for_update(skip_locked=True)`, in id order), the checks' inputs are read for the whole
batch (SendFacts), each message is checked and rendered in memory, handed to its channel in one
call per channel (the sandbox writes every delivery row with one INSERT; network providers are
called concurrently), and every status change is written by one UPDATE that commits with the
deliveries. For transactional backends (sandbox, call list) the delivery rows and the status
changes commit together, so a message is sent exactly once whatever crashes: a worker killed
mid-batch leaves its rows `planned` (the transaction dies with its connection) and they are
claimed and sent again. A provider outside the database cannot share the transaction: a crash
after it accepted a message and before the commit re-sends that message, as it always could.
"""

import dataclasses
import datetime
import logging
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import JSONField
from django.utils import timezone
from django.utils.translation import gettext as _

from core.reasons import Reason, reason_split
from messaging import reasons
from messaging.channels import ChannelError, backend_for
from messaging.models import Message, MessageDebt, MessageTemplateVersion
from messaging.rendering import Rendered, TemplateRenderError, render_source, render_version
from messaging.services import compliance_gateway as gateway
from messaging.services import us_debts, whatsapp
from messaging.services.compliance.purpose import VALIDATION_TEMPLATE
from messaging.services.context import message_context
from messaging.services.default_texts import OPTOUT_EMAIL, OPTOUT_TEXT, SIGN
from messaging.services.planning import ACTIVE_STATUSES, contact_for
from messaging.services.templates import active_versions, version_resolve
from portfolio.models import OPEN_STAGES, ContactPoint, Creditor, Debt, Hold, Stage

logger = logging.getLogger(__name__)


# Messages whose text a person wrote (an inbox reply): sent as written, no template version.
FREE_TEXT_TEMPLATE = "inbox_reply"

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
    """Close the message in memory (the batch's UPDATE writes it)."""
    message.status = status
    message.suppression_rule = rule[:40]
    message.suppression_reason = f"{rule}: {reason}"[:500]
    message.suppression_code, message.suppression_params, _text = reason_split(reason)
    message.claim_token = None
    message.claimed_at = None
    return Outcome(status, message.suppression_reason)


def _usefulness(message: Message, debts: list, at: datetime.datetime, simulate: bool):
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

    Read under the batch's row locks: an opt-out meanwhile also suppresses the planned row
    itself, which waits for the lock, so it is never missed.
    """

    debts: dict[int, list]
    holds: dict[int, list]
    consented: set
    letter_revoked: set
    history: dict[int, list]
    # (debtor, channel, value) of the points a provider reported dead (a hard bounce).
    invalid: set = dataclasses.field(default_factory=set)
    # (address, instant) of the WhatsApp messages whose 24-hour service window is open then.
    whatsapp_open: set = dataclasses.field(default_factory=set)


def send_facts_load(messages, *, around, statuses=SENT_STATUSES) -> SendFacts:
    """The checks' inputs for a batch of messages (see SendFacts)."""
    debtor_ids = {message.debtor_id for message in messages}
    links = list(
        MessageDebt.objects.filter(message_id__in=[message.id for message in messages])
        .order_by("message_id", "debt__due_date", "debt_id")  # the Debt model's ordering
        .values_list("message_id", "debt_id")
    )
    debts_by_id = Debt.objects.select_related("assigned_to").in_bulk({d for _m, d in links})
    debts: dict[int, list] = {}
    for message_id, debt_id in links:
        debts.setdefault(message_id, []).append(debts_by_id[debt_id])
    holds: dict[int, list] = {}
    for debtor_id, debt_id, kind in Hold.objects.filter(
        debtor_id__in=debtor_ids, closed_at__isnull=True
    ).values_list("debtor_id", "debt_id", "kind"):
        holds.setdefault(debtor_id, []).append((debt_id, kind))
    consented, letter_revoked, invalid = set(), set(), set()
    for debtor_id, channel, value, granted, invalid_at in ContactPoint.objects.filter(
        debtor_id__in=debtor_ids
    ).values_list("debtor_id", "channel", "value", "consent_granted", "invalid_at"):
        if invalid_at is not None:
            invalid.add((debtor_id, channel, value))
        if granted:
            consented.add((debtor_id, channel, value))
        elif channel == "letter":
            letter_revoked.add(debtor_id)
    history: dict[int, list] = {}
    low, high = around - datetime.timedelta(days=8), around + datetime.timedelta(days=8)
    for debtor_id, channel, planned_for, sent_at, key in Message.objects.filter(
        debtor_id__in=debtor_ids,
        status__in=statuses,
        planned_for__gte=low,
        planned_for__lte=high,
    ).values_list("debtor_id", "channel", "planned_for", "sent_at", "idempotency_key"):
        past = gateway.make_past_contact(
            debtor_id=debtor_id, channel=channel, at=sent_at or planned_for
        )
        history.setdefault(debtor_id, []).append((key, past))
    return SendFacts(debts, holds, consented, letter_revoked, history, invalid)


def free_text_render(message: Message, context: dict) -> Rendered:
    """An inbox reply as sent: the collector's words as written (never read as a template),
    signed with the creditor's name and ending with the channel's opt-out line, as every
    electronic message must (the engine checks the whole text like a template's)."""
    language = message.language if message.language in SIGN else "es"
    opt_out = OPTOUT_EMAIL if message.channel == "email" else OPTOUT_TEXT
    footer = render_source(f"{SIGN[language]}\n\n{opt_out[language]}", context)
    # Checked again after a transient error: the footer is not added twice.
    text = message.body.rstrip()
    body = text if text.endswith(footer) else f"{text}\n\n{footer}"
    return Rendered(subject=message.subject, body=body)


@dataclass
class _Ready:
    """A message that passed its checks, rendered, waiting for its channel."""

    message: Message
    rendered: Rendered
    version: object
    collector: object


def _check(message: Message, facts: SendFacts, *, at, simulate, rules) -> _Ready | Outcome:
    """Re-check one message and render it: ready to send, or the Outcome that closed it."""
    debts = facts.debts.get(message.id, [])
    debt_ids = {d.id for d in debts}
    reason = _usefulness(message, debts, at, simulate=simulate)
    if reason:
        return _close(message, Message.Status.CANCELLED, *reason)

    debtor = message.debtor
    if (debtor.id, message.channel, message.to) in facts.invalid:
        # Bounced since it was planned: the address is dead, nothing goes to it.
        return _close(
            message, Message.Status.CANCELLED, "ADDRESS-INVALID", Reason(reasons.ADDRESS_INVALID)
        )
    open_debts = [d for d in debts if d.stage in OPEN_STAGES] or debts
    # An inbox reply (FREE_TEXT_TEMPLATE) has no template: its text is what the collector wrote.
    free_text = message.template == FREE_TEXT_TEMPLATE
    # A version planning pinned (an experiment's arm tests it) is sent as it is; else the
    # newest active text.
    version = message.template_version if message.template_version_id else None
    version = version or version_for(
        creditor_id=message.creditor_id,
        code=message.template,
        channel=message.channel,
        language=message.language,
    )
    if version is None and not free_text:
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
        if free_text:
            rendered = free_text_render(message, context)
        else:
            rendered = render_version(version, context, channel=message.channel)
    except TemplateRenderError as exc:
        return _close(message, Message.Status.FAILED, "TEMPLATE", str(exc))
    # US-TIMEBARRED: the disclosure is part of the text (and of what the engine checks).
    time_barred = us_debts.covers_time_barred(
        debtor=debtor, debts=open_debts, as_of=message.business_date
    )
    if time_barred:
        rendered = us_debts.with_disclosure(
            rendered,
            us_debts.time_barred_disclosure(
                language=message.language, creditor_name=message.creditor.name
            ),
        )

    holds = facts.holds.get(debtor.id, [])
    if message.channel == "letter":
        consented = bool(debtor.address_line) and debtor.id not in facts.letter_revoked
    else:
        consented = (debtor.id, message.channel, message.to) in facts.consented
    history = [
        past for key, past in facts.history.get(debtor.id, []) if key != message.idempotency_key
    ]
    kinds = {kind for debt_id, kind in holds if debt_id is None or debt_id in debt_ids}
    kinds |= us_debts.pending_kinds(country=debtor.country, debts=debts)
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
        time_barred=time_barred,
    )
    decision = gateway.check(contact=contact, history=history, rules=rules)
    if not decision.allowed:
        return _close(
            message,
            Message.Status.SUPPRESSED,
            decision.rule or "COMPLIANCE",
            decision.coded or decision.reason,
        )
    if message.channel == "whatsapp" and (message.to, at) not in facts.whatsapp_open:
        # Outside the service window WhatsApp delivers only an approved template (free text
        # fails at the provider with 63016): its Content SID and the values of its variables.
        # (An inbox reply has no template at all: it waits for the debtor to write again.)
        if version is None or not version.provider_ready:
            return _close(
                message,
                Message.Status.CANCELLED,
                whatsapp.TEMPLATE_RULE,
                Reason(reasons.WHATSAPP_NO_TEMPLATE),
            )
        rendered = replace(
            rendered,
            content_sid=version.provider_template_id,
            content_variables=whatsapp.content_variables(version, context),
        )
    return _Ready(message, rendered, version, collector)


def _deliver(ready: list[_Ready], facts: SendFacts, *, now, sent_at, last_try) -> dict:
    """Hand the messages to their channels (one call per backend); an Outcome per message id.

    `sent_at`: the moment recorded as sent, or a function of the message giving it."""
    outcomes: dict[int, Outcome] = {}
    by_backend: dict[int, tuple] = {}
    for item in ready:
        message = item.message
        message.attempts += 1
        try:
            backend = backend_for(message.channel)
        except ChannelError as exc:
            outcomes[message.id] = _failed(message, exc, now=now, last_try=last_try)
            continue
        by_backend.setdefault(id(backend), (backend, []))[1].append(item)
    for backend, items in by_backend.values():
        kept = [(m.subject, m.body, m.collector_id) for m in (item.message for item in items)]
        for item in items:  # what the channel sends (a letter prints them, a call is listed)
            item.message.subject, item.message.body = item.rendered.subject, item.rendered.body
            if item.message.channel == "voice":
                item.message.collector = item.collector
        results = backend.send_many([(item.message, item.rendered) for item in items])
        for item, (subject, body, collector_id), result in zip(items, kept, results, strict=True):
            message = item.message
            if isinstance(result, ChannelError):
                # not sent: the row keeps what it held, plus the attempt and its error
                message.subject, message.body, message.collector_id = subject, body, collector_id
                outcomes[message.id] = _failed(message, result, now=now, last_try=last_try)
                continue
            message.template_version = item.version
            message.status = Message.Status.DELIVERED if result.delivered else Message.Status.SENT
            message.sent_at = sent_at(message) if callable(sent_at) else sent_at
            # The next message of this debtor (a later wave of the batch) sees this contact.
            facts.history.setdefault(message.debtor_id, []).append(
                (
                    message.idempotency_key,
                    gateway.make_past_contact(
                        debtor_id=message.debtor_id, channel=message.channel, at=message.sent_at
                    ),
                )
            )
            message.provider_message_id = result.provider_message_id[:120]
            message.last_error = ""
            message.claim_token, message.claimed_at = None, None
            outcomes[message.id] = Outcome(message.status)
    return outcomes


def _failed(message: Message, exc: ChannelError, *, now, last_try) -> Outcome:
    message.last_error = str(exc)[:2000]
    if exc.transient and not last_try:
        message.claimed_at = now  # keeps the lease while the retry waits
        return Outcome("retry", message.last_error)
    message.status = Message.Status.FAILED
    message.claim_token, message.claimed_at = None, None
    return Outcome("failed", message.last_error)


# What a send may change on its row: written for the whole batch by one UPDATE ... FROM VALUES.
WRITTEN_FIELDS = (
    "status",
    "sent_at",
    "provider_message_id",
    "subject",
    "body",
    "template_version",
    "collector",
    "attempts",
    "last_error",
    "suppression_rule",
    "suppression_reason",
    "suppression_code",
    "suppression_params",
    "claim_token",
    "claimed_at",
    "updated_at",
)


def _write(messages: list[Message], *, now) -> None:
    """Every touched row in one statement (the rows are locked: nothing else changed them)."""
    if not messages:
        return
    fields = [Message._meta.pk, *(Message._meta.get_field(name) for name in WRITTEN_FIELDS)]
    row = "(" + ", ".join(f"%s::{field.cast_db_type(connection)}" for field in fields) + ")"
    # The driver adapts these values as they are, except JSON, which the field wraps.
    prepared = [isinstance(field, JSONField) for field in fields]
    params = []
    for message in messages:
        message.updated_at = now
        for field, prepare in zip(fields, prepared, strict=True):
            value = getattr(message, field.attname)
            params.append(field.get_db_prep_save(value, connection) if prepare else value)
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields]
    assignments = ", ".join(f"{column} = v.{column}" for column in columns[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Message._meta.db_table)} AS m SET {assignments} "
            f"FROM (VALUES {', '.join([row] * len(messages))}) AS v ({', '.join(columns)}) "
            f"WHERE m.{columns[0]} = v.{columns[0]}",
            params,
        )


def messages_send(
    *,
    message_ids,
    claim_token: str | None = None,
    simulate_at=None,
    last_try=False,
    history_statuses=SENT_STATUSES,
    simulate_planned=False,
) -> dict[int, Outcome]:
    """Send planned messages once, as one transaction; an Outcome per id (safe to call twice).

    `simulate_at` checks them as at that moment (a replay); `simulate_planned` checks (and
    records) each as at its own planned moment (a replayed date, sent in batches);
    `history_statuses` are the other messages that count as contacts already made (sent ones;
    `message_send` also counts planned ones).
    """
    with transaction.atomic():
        return _send_locked(
            message_ids=list(dict.fromkeys(message_ids)),
            claim_token=claim_token,
            simulate_at=simulate_at,
            last_try=last_try,
            history_statuses=history_statuses,
            simulate_planned=simulate_planned,
        )


def _send_locked(
    *, message_ids, claim_token, simulate_at, last_try, history_statuses, simulate_planned
):
    locked = {
        message.id: message
        for message in Message.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("debtor")
        .filter(pk__in=message_ids)
        .order_by("id")  # locks in one order
    }
    # A batch has few creditors: one object each rather than one per row.
    creditors = Creditor.objects.in_bulk({message.creditor_id for message in locked.values()})
    # The versions planning pinned (experiment arms; few): one query, not one per message.
    pinned = MessageTemplateVersion.objects.select_related("template").in_bulk(
        {m.template_version_id for m in locked.values() if m.template_version_id}
    )
    for message in locked.values():
        message.creditor = creditors[message.creditor_id]
        if message.template_version_id:
            message.template_version = pinned[message.template_version_id]
    outcomes: dict[int, Outcome] = {}
    live = []
    for message_id in message_ids:
        message = locked.get(message_id)
        if message is None:
            outcomes[message_id] = Outcome("skipped", "locked by another worker or gone")
        elif message.status != Message.Status.PLANNED:
            outcomes[message_id] = Outcome("skipped", f"already {message.status}")
        elif claim_token and message.claim_token and str(message.claim_token) != str(claim_token):
            outcomes[message_id] = Outcome("skipped", "claimed again by a newer dispatch")
        else:
            live.append(message)
    if not live:
        return outcomes
    # A debtor's validation notice goes in an earlier wave than its other messages (US-VALIDATION).
    live.sort(key=lambda message: message.template != VALIDATION_TEMPLATE)
    now = timezone.now()
    at = simulate_at or now
    if simulate_planned:
        # A replayed date: each message as at its planned moment (all within about a day, so
        # the facts read around the earliest cover every one of them).
        at = min(message.planned_for for message in live)
    facts = send_facts_load(live, around=at, statuses=history_statuses)
    # The WhatsApp service windows of the whole batch, with one query.
    facts.whatsapp_open = whatsapp.service_windows_open(
        contacts=[
            (message.to, message.planned_for if simulate_planned else at)
            for message in live
            if message.channel == "whatsapp"
        ]
    )
    simulate = simulate_at is not None or simulate_planned
    rules = _rules(now)
    pending = live
    while pending:
        # One message per debtor per wave: a debtor's next message is checked once the one
        # before is sent, so it sees that contact (one contact a day holds inside a batch).
        wave, later, seen = [], [], set()
        for message in pending:
            (later if message.debtor_id in seen else wave).append(message)
            seen.add(message.debtor_id)
        ready = []
        for message in wave:
            try:
                checked = _check(
                    message,
                    facts,
                    at=message.planned_for if simulate_planned else at,
                    simulate=simulate,
                    rules=rules,
                )
            except Exception as exc:
                # A bug met by one message (its data, its template) fails that message alone,
                # logged; rolling back the batch would retry it, and its neighbours, forever.
                logger.exception("message %s could not be prepared", message.id)
                checked = _close(
                    message, Message.Status.FAILED, "INTERNAL", f"{type(exc).__name__}: {exc}"
                )
            if isinstance(checked, Outcome):
                outcomes[message.id] = checked
            else:
                ready.append(checked)
        sent_at = _planned_for if simulate_planned else simulate_at or now
        outcomes.update(_deliver(ready, facts, now=now, sent_at=sent_at, last_try=last_try))
        # A validation notice sent: its debts record it, and the debtor's later messages in
        # this batch (next waves) see it.
        us_debts.validation_notices_record([item.message for item in ready], facts.debts)
        pending = later
    _write(live, now=now)
    return outcomes


def _planned_for(message: Message):
    return message.planned_for


def message_send(
    *, message_id: int, claim_token: str | None = None, simulate_at=None, last_try=False
) -> Outcome:
    """Send one planned message once; safe to call twice (the second call does nothing).

    On its own (a retry, a replayed date) the other messages of the debtor that are still
    planned count as contacts too, as they always have on this path.
    """
    outcome = messages_send(
        message_ids=[message_id],
        claim_token=claim_token,
        simulate_at=simulate_at,
        last_try=last_try,
        history_statuses=ACTIVE_STATUSES,
    )[message_id]
    if outcome.status == "retry":
        raise TransientSendError(outcome.detail)
    return outcome
