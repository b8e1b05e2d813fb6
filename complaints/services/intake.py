"""Receiving a complaint: its number, its legal clock, the hold it sets, the acknowledgement.

`complaint_for_hold` receives a dispute staff recorded as a hold (collections_app's
`dispute_opened` hook): the complaint binds that hold instead of opening one."""

import datetime

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from collections_app.models import Interaction
from complaints.models import Complaint, ComplaintEvent, ComplaintKind
from complaints.models.complaint import ComplaintChannel, Regulator
from complaints.rules import term_for
from complaints.services import clock
from complaints.services.common import (
    BUREAU_KINDS,
    FUTURE_TOLERANCE,
    SUBJECT_MAX,
    TEXT_MAX,
    attachments_add,
    choice_clean,
    hold_set,
    local_date,
    may_see_debtor,
    number_next,
    step_record,
    step_send,
    text_clean,
)
from complaints.texts import text_render
from core.exceptions import ApplicationError
from messaging.models import InboundMessage, Message
from messaging.services.inbox import HANDLED_COMPLAINT, inbound_mark_handled
from portfolio.models import Debt, Debtor, Hold


@transaction.atomic
def complaint_create(
    *,
    debtor: Debtor,
    kind: str,
    channel: str,
    subject: str,
    description: str,
    debt: Debt | None = None,
    received_at: datetime.datetime | None = None,
    regulator: str = "",
    regulator_reference: str = "",
    related_message: Message | None = None,
    related_interaction: Interaction | None = None,
    attachments=(),
    user=None,
    by_debtor: bool = False,
) -> Complaint:
    """Record a complaint, start its legal clock, hold the debt and acknowledge it."""
    now = timezone.now()
    kind = choice_clean(kind, ComplaintKind, field="kind")
    channel = choice_clean(channel, ComplaintChannel, field="channel")
    regulator = choice_clean(regulator, Regulator, field="regulator", blank=True)
    if channel == ComplaintChannel.REGULATOR and not regulator:
        raise ApplicationError(_("Say which regulator sent it."), field="regulator")
    if regulator and channel != ComplaintChannel.REGULATOR:
        raise ApplicationError(
            _("A complaint from a regulator is received through the regulator."), field="channel"
        )
    regulator_reference = (regulator_reference or "").strip()
    if len(regulator_reference) > 60:
        raise ApplicationError(
            _("The regulator's reference is too long (60 characters at most)."),
            field="regulator_reference",
        )
    subject = text_clean(subject, field="subject", limit=SUBJECT_MAX, label=_("subject"))
    description = text_clean(
        description, field="description", limit=TEXT_MAX, label=_("description")
    )
    if debt is not None and debt.debtor_id != debtor.pk:
        raise ApplicationError(_("That debt is not this debtor's."), field="debt")
    if not by_debtor and not may_see_debtor(user, debtor, debt):
        raise ApplicationError(_("You cannot record complaints for this debtor."), field="debt")
    if received_at is None:
        received_at = now
    if timezone.is_naive(received_at):
        raise ApplicationError(
            _("Include the time zone offset (e.g. 2026-12-01T10:00:00-05:00)."),
            field="received_at",
        )
    if received_at > now + FUTURE_TOLERANCE:
        raise ApplicationError(_("The date received cannot be in the future."), field="received_at")
    if received_at < now - datetime.timedelta(days=366):
        raise ApplicationError(
            _("The date received is more than a year ago; check it."), field="received_at"
        )
    if related_message is not None and related_message.debtor_id != debtor.pk:
        raise ApplicationError(_("That message was not sent to this debtor."), field="message")
    if related_interaction is not None and related_interaction.debtor_id != debtor.pk:
        raise ApplicationError(_("That contact was not with this debtor."), field="interaction")
    if debt is not None:  # the debt's lock first, as every writer of its records takes it
        debt = Debt.objects.select_for_update().get(pk=debt.pk)

    return complaint_open(
        debtor=debtor,
        debt=debt,
        kind=kind,
        channel=ComplaintChannel.PORTAL if by_debtor else channel,
        subject=subject,
        description=description,
        received_at=received_at,
        now=now,
        regulator=regulator,
        regulator_reference=regulator_reference,
        related_message=related_message,
        related_interaction=related_interaction,
        attachments=attachments,
        user=user,
        by_debtor=by_debtor,
    )


def complaint_open(
    *,
    debtor: Debtor,
    debt: Debt | None,
    kind: str,
    channel: str,
    subject: str,
    description: str,
    received_at: datetime.datetime,
    now: datetime.datetime,
    regulator: str = "",
    regulator_reference: str = "",
    related_message: Message | None = None,
    related_interaction: Interaction | None = None,
    attachments=(),
    user=None,
    by_debtor: bool = False,
    hold: Hold | None = None,
) -> Complaint:
    """Write a complaint its callers validated: number, clock, hold (`hold`, or the one it
    opens), attachments, the receipt and the acknowledgement sent."""
    country = debtor.country
    term = term_for(country=country, kind=kind, regulator=regulator)
    received_on = local_date(received_at, debtor=debtor)
    complaint = Complaint(
        number=number_next(country, received_on.year),
        creditor_id=debtor.creditor_id,
        debtor=debtor,
        debt=debt,
        kind=kind,
        channel=channel,
        regulator=regulator,
        regulator_reference=regulator_reference,
        country=country,
        language=debtor.language,
        subject=subject,
        description=description,
        received_at=received_at,
        received_on=received_on,
        term_code=term.code,
        clock_start_on=received_on,
        due_on=clock.due_on(term, received_on=received_on, country=country),
        created_by=None if by_debtor else user,
        related_message=related_message,
        related_interaction=related_interaction,
        hold=hold,
    )
    if kind in BUREAU_KINDS and debt is not None:
        complaint.bureau_flag = True
        complaint.legend_due_on = clock.legend_due_on(
            term, received_on=received_on, country=country
        )
    complaint.save()
    if hold is None:
        hold_set(complaint, user=user)
        if complaint.hold_id:
            complaint.save(update_fields=["hold", "updated_at"])
    attachments_add(complaint, attachments, user=user, by_debtor=by_debtor, now=now)
    step_record(
        complaint,
        ComplaintEvent.Kind.RECEIVED,
        user=user,
        by_debtor=by_debtor,
        now=now,
        params={"channel": complaint.channel, "term": term.code},
    )
    subject_text, body = text_render("acknowledgement", complaint)
    step_send(
        complaint,
        ComplaintEvent.Kind.ACKNOWLEDGED,
        subject=subject_text,
        body=body,
        template="acknowledgement",
        now=now,
    )
    return complaint


@transaction.atomic
def complaint_for_hold(
    *,
    hold: Hold,
    user,
    channel: str,
    description: str,
    received_at: datetime.datetime | None = None,
) -> Complaint:
    """A dispute complaint bound to a dispute hold staff already opened (a call, the API):
    the same clock and acknowledgement as any dispute, and answering or closing it lifts
    that hold. The caller already checked the user may see the debt (it opened the hold)."""
    now = timezone.now()
    hold = Hold.objects.select_related("debt__debtor").get(pk=hold.pk)
    if hold.kind != Hold.Kind.DISPUTE or hold.debt_id is None:
        raise ApplicationError(_("Only a dispute on a debt becomes a dispute complaint."))
    channel = choice_clean(channel, ComplaintChannel, field="channel")
    description = text_clean(
        description, field="description", limit=TEXT_MAX, label=_("description")
    )
    debt = Debt.objects.select_for_update().get(pk=hold.debt_id)
    # The clock runs from when the debtor said it, never from a time ahead of ours.
    received_at = min(received_at or hold.opened_at, now)
    with translation.override(debt.debtor.language or "es"):
        subject = _("Dispute of the debt %(ref)s") % {"ref": debt.debt_ref}
    return complaint_open(
        debtor=debt.debtor,
        debt=debt,
        kind=ComplaintKind.DISPUTE,
        channel=channel,
        subject=subject[:SUBJECT_MAX],
        description=description,
        received_at=received_at,
        now=now,
        user=user,
        hold=hold,
    )


# The inbox's one-click kinds: "complaint" files a complaint (queja), "dispute" disputes the debt.
INBOUND_KINDS = {"complaint": ComplaintKind.COMPLAINT, "dispute": ComplaintKind.DISPUTE}
# A message on the debtor's phone is "phone", like every dispute heard there (disputes.CHANNELS).
INBOUND_CHANNELS = {"email": ComplaintChannel.EMAIL}


@transaction.atomic
def complaint_from_inbound(*, inbound: InboundMessage, kind: str, user) -> tuple[Complaint, bool]:
    """The complaint (or dispute) a debtor's inbound message is, made in one click: their text,
    channel, debtor and debt; the inbound is marked handled with a link to it.

    Returns (complaint, created): clicking twice makes one complaint."""
    inbound = (
        InboundMessage.objects.select_for_update(of=("self",))
        .select_related("debtor", "debt", "in_reply_to")
        .get(pk=inbound.pk)
    )
    if inbound.complaint_id is not None:
        existing = Complaint.objects.filter(pk=inbound.complaint_id).first()
        if existing is not None:
            return existing, False
    if kind not in INBOUND_KINDS:
        raise ApplicationError(_("Choose complaint or dispute."), field="kind")
    debtor = inbound.debtor
    if debtor is None:
        raise ApplicationError(_("Match the message to its debtor first."))
    text = (inbound.body or "").strip() or (inbound.subject or "").strip()
    with translation.override(debtor.language or "es"):
        label = _("Message by %(channel)s") % {"channel": inbound.get_channel_display()}
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    subject = (inbound.subject or "").strip() or first_line or str(label)
    if len(subject) > 80:
        subject = subject[:79].rstrip() + "…"
    related = inbound.in_reply_to
    complaint = complaint_create(
        debtor=debtor,
        debt=inbound.debt,
        kind=INBOUND_KINDS[kind],
        channel=INBOUND_CHANNELS.get(inbound.channel, ComplaintChannel.PHONE),
        subject=subject,
        description=(text or str(label))[:TEXT_MAX],
        received_at=inbound.received_at,
        related_message=related if related is not None and related.debtor_id == debtor.pk else None,
        user=user,
    )
    inbound_mark_handled(
        inbound=inbound, actor=user, note=HANDLED_COMPLAINT, complaint_id=complaint.pk
    )
    return complaint, True
