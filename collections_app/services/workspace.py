"""Writes of the collector workspace: log a contact (with its promise / callback / dispute),
assign cases (one or in bulk, balanced), request a legal escalation."""

import datetime
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collections_app import reasons
from collections_app.hooks import dispute_opened
from collections_app.models import Assignment, Interaction
from collections_app.services.contacts import (
    contact_check,
    nonpayment_reason_allowed,
    visit_check,
)
from core.dates import business_date_validate
from core.exceptions import ApplicationError
from core.reasons import Reason
from core.roles import COLLECTOR, is_manager
from portfolio.models import Debt, Hold, Task
from portfolio.selectors import debt_queryset
from portfolio.services.holds import hold_open
from portfolio.services.tasks import task_create

MAX_NOTE = 5000
MAX_DURATION = 4 * 3600
# Interaction channel -> the agreements app's negotiation channel (for the promise).
PROMISE_CHANNEL = {
    Interaction.Channel.CALL: "phone",
    Interaction.Channel.INBOUND_CALL: "phone",
    Interaction.Channel.WHATSAPP: "whatsapp",
    Interaction.Channel.SMS: "sms",
    Interaction.Channel.EMAIL: "email",
    Interaction.Channel.VISIT: "in_person",
}
# Contacts the collector initiates: the engine must allow them at the moment they happen.
CHECKED_CHANNELS = {
    Interaction.Channel.CALL: "voice",
    Interaction.Channel.WHATSAPP: "whatsapp",
    Interaction.Channel.SMS: "sms",
    Interaction.Channel.EMAIL: "email",
}


def _refusal(decision) -> ApplicationError:
    return ApplicationError(
        _("Not allowed now (%(rule)s): %(reason)s")
        % {"rule": decision.rule or "?", "reason": decision.reason},
        field="channel",
    )


@transaction.atomic
def interaction_log(
    *,
    user,
    debt: Debt,
    channel: str,
    outcome: str,
    as_of: datetime.date,
    note: str = "",
    occurred_at: datetime.datetime | None = None,
    duration_seconds: int | None = None,
    nonpayment_reason: str = "",
    promise_amount: Decimal | None = None,
    promise_date: datetime.date | None = None,
    callback_at: datetime.datetime | None = None,
    dispute_reason: str = "",
    now: datetime.datetime | None = None,
) -> Interaction:
    """Record a contact attempt and its consequences in one transaction (all or nothing).

    promise_to_pay → a promise (agreements' promise_create); callback_requested → a callback
    task; dispute → the dispute hold, for `dispute_reason` (or the note, when that says it).
    An outbound contact the compliance engine refuses at that moment (window, caps,
    cool-down, consent, holds) is refused with the rule's id. `now` is the current instant
    (the clock by default; given, it replays or tests a moment).
    """
    if not debt_queryset(user=user).filter(pk=debt.pk).exists():
        raise ApplicationError(_("Unknown debt."), field="debt")
    if channel not in Interaction.Channel.values:
        raise ApplicationError(_("Choose a channel."), field="channel")
    if outcome not in Interaction.Outcome.values:
        raise ApplicationError(_("Choose an outcome."), field="outcome")
    debt = Debt.objects.select_related("debtor", "creditor").get(pk=debt.pk)
    if not debt.is_open:
        raise ApplicationError(_("The debt is closed; log contacts on an open debt."), field="debt")
    note = (note or "").strip()
    dispute_reason = (dispute_reason or "").strip() or note
    for field, text in (("note", note), ("dispute_reason", dispute_reason)):
        if len(text) > MAX_NOTE:
            raise ApplicationError(
                _("The note is too long (%(max)s characters at most).") % {"max": MAX_NOTE},
                field=field,
            )
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be an aware datetime")
    occurred_at = occurred_at or now
    if timezone.is_naive(occurred_at):
        raise ApplicationError(_("The time must include a time zone."), field="occurred_at")
    if occurred_at > now + datetime.timedelta(minutes=5):
        raise ApplicationError(_("A contact cannot be logged in the future."), field="occurred_at")
    business_date_validate(occurred_at, today=timezone.localdate(now), kind="occurred_at")
    if duration_seconds is not None and not 0 <= duration_seconds <= MAX_DURATION:
        raise ApplicationError(_("The duration must be between 0 and 4 hours."), field="duration")
    nonpayment_reason = (nonpayment_reason or "").strip()
    if nonpayment_reason and not nonpayment_reason_allowed(debt=debt):
        raise ApplicationError(
            _("CO-SCRIPT: the reason for non-payment may not be asked of Colombian debtors."),
            field="nonpayment_reason",
        )
    if channel == Interaction.Channel.VISIT:
        decision = visit_check(debt=debt, at=occurred_at)
        if not decision.allowed:
            raise _refusal(decision)
    if outcome == Interaction.Outcome.PROMISE_TO_PAY and (not promise_amount or not promise_date):
        raise ApplicationError(
            _("A promise to pay needs an amount and a date."), field="promise_amount"
        )
    if outcome == Interaction.Outcome.CALLBACK_REQUESTED:
        if callback_at is None:
            raise ApplicationError(_("When should we call back?"), field="callback_at")
        if timezone.is_naive(callback_at):
            raise ApplicationError(_("The time must include a time zone."), field="callback_at")
        if callback_at <= now:
            raise ApplicationError(_("The callback must be in the future."), field="callback_at")
        business_date_validate(callback_at, today=timezone.localdate(now), kind="callback_at")
    if outcome == Interaction.Outcome.DISPUTE and not dispute_reason:
        raise ApplicationError(_("Write what the debtor disputes."), field="note")
    if channel in CHECKED_CHANNELS:
        decision = contact_check(debt=debt, channel=CHECKED_CHANNELS[channel], at=occurred_at)
        if not decision.allowed:
            raise _refusal(decision)

    interaction = Interaction(
        debt=debt,
        debtor_id=debt.debtor_id,
        collector=user,
        channel=channel,
        outcome=outcome,
        note=note or (dispute_reason if outcome == Interaction.Outcome.DISPUTE else ""),
        nonpayment_reason=nonpayment_reason[:200],
        occurred_at=occurred_at,
        duration_seconds=duration_seconds,
    )
    if outcome == Interaction.Outcome.PROMISE_TO_PAY:
        from agreements.services.promises import promise_create

        interaction.promise = promise_create(
            user=user,
            debt=debt,
            amount=promise_amount,
            promised_date=promise_date,
            channel=PROMISE_CHANNEL[channel],
            as_of=as_of,
            note=note,
        )
    elif outcome == Interaction.Outcome.CALLBACK_REQUESTED:
        interaction.task, _created = task_create(
            debt=debt,
            kind=Task.Kind.CALLBACK,
            title=Reason(reasons.TASK_CALLBACK, {"name": debt.debtor.full_name}),
            due_at=callback_at,
            assigned_to=user if debt.assigned_to_id is None else debt.assigned_to,
            note=note,
            created_by=user,
        )
    elif outcome == Interaction.Outcome.DISPUTE:
        interaction.hold = hold_open(
            debt=debt,
            kind=Hold.Kind.DISPUTE,
            reason=dispute_reason,
            source=Hold.Source.MANAGER if is_manager(user) else Hold.Source.COLLECTOR,
            user=user,
        )
        # Every dispute gets its legal clock and a written answer (complaints registers).
        dispute_opened.call_all(
            hold=interaction.hold, user=user, channel=channel, received_at=occurred_at
        )
    interaction.save()
    return interaction


def collectors_queryset():
    return (
        get_user_model().objects.filter(groups__name=COLLECTOR, is_active=True).order_by("username")
    )


def assignment_plan(
    *, debts: list[tuple[int, str, Decimal]], collectors: list, mode: str
) -> dict[int, list[int]]:
    """Share debts (id, currency, balance) among collectors: equal counts, or balances as even
    as a greedy largest-first split makes them, currency by currency (a peso and a dollar are
    never added: each currency's balances are evened out on their own). Returns collector id
    -> debt ids."""
    if not collectors:
        raise ApplicationError(_("Choose at least one collector."), field="collectors")
    if mode not in ("count", "balance"):
        raise ApplicationError(_("Balance by count or by balance."), field="mode")
    plan: dict[int, list[int]] = {c.pk: [] for c in collectors}
    ids = [c.pk for c in collectors]
    if mode == "count":
        for index, (debt_id, _currency, _balance) in enumerate(sorted(debts)):
            plan[ids[index % len(ids)]].append(debt_id)
        return plan
    loads: dict[str, dict[int, Decimal]] = {}
    for debt_id, currency, balance in sorted(debts, key=lambda d: (d[1], -d[2], d[0])):
        load = loads.setdefault(currency, dict.fromkeys(ids, Decimal("0")))
        target = min(ids, key=lambda c: (load[c], len(plan[c]), c))
        plan[target].append(debt_id)
        load[target] += balance
    return plan


@transaction.atomic
def debts_assign(
    *, user, plan: dict[int, list[int]], reason: str = "", expected: int | None = None
) -> int:
    """Apply an assignment plan: a manager moves debts they manage to collectors; every move
    is recorded as an Assignment. `expected` (the count confirmed) guards against the set
    changing between the confirmation and the write."""
    if not is_manager(user):
        raise ApplicationError(_("Only a manager may assign cases."))
    collectors = {c.pk: c for c in collectors_queryset().filter(pk__in=list(plan))}
    if set(plan) - set(collectors):
        raise ApplicationError(_("Assign only to active collectors."), field="collectors")
    all_ids = [debt_id for ids in plan.values() for debt_id in ids]
    if not all_ids:
        raise ApplicationError(_("No debts match: nothing to assign."))
    visible = debt_queryset(user=user).filter(pk__in=all_ids)
    current = dict(
        Debt.objects.select_for_update()
        .filter(pk__in=visible.values("pk"))
        .order_by("pk")
        .values_list("pk", "assigned_to_id")
    )
    if len(current) != len(set(all_ids)) or (expected is not None and expected != len(current)):
        raise ApplicationError(_("The selection changed since you confirmed it; review it again."))
    batch = uuid.uuid4()
    reason = (reason or "").strip()[:255]
    records = []
    for collector_id, ids in plan.items():
        if not ids:
            continue
        Debt.objects.filter(pk__in=ids).update(assigned_to_id=collector_id)
        records.extend(
            Assignment(
                debt_id=debt_id,
                from_user_id=current[debt_id],
                to_user_id=collector_id,
                assigned_by=user,
                reason=reason,
                batch=batch,
            )
            for debt_id in ids
        )
    Assignment.objects.bulk_create(records, batch_size=2000)
    return len(records)


def legal_request(*, user, debt: Debt, reason: str, as_of: datetime.date) -> Task:
    """A collector asks the managers to hand a pre-legal case to legal (a task in their queue;
    the manager then runs the ladder's escalate_to_legal with the policy checks)."""
    if not debt_queryset(user=user).filter(pk=debt.pk).exists():
        raise ApplicationError(_("Unknown debt."), field="debt")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why the case should go to legal."), field="reason")
    if debt.stage != "pre_legal":
        raise ApplicationError(_("Only a debt in pre-legal can go to legal."), field="debt")
    task, created = task_create(
        debt=debt,
        kind=Task.Kind.LEGAL_REVIEW,
        title=Reason(reasons.TASK_LEGAL_REQUEST, {"ref": debt.debt_ref}),
        due_at=timezone.now(),
        assigned_to=None,
        note=reason[:5000],
        created_by=user,
        source_key=f"legal-request:{debt.pk}:{as_of.isoformat()}",
    )
    if not created:
        raise ApplicationError(_("A legal escalation was already requested today."))
    return task
