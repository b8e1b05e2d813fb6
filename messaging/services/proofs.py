"""Proof of receipt of certified letters: the provider's event or the receipt staff upload.

A proof makes the letter delivered on the day of receipt; for a notice the certified-notice
rule names (messaging.services.compliance.certified) it is what makes the notice count, from
that day. One proof per letter: a replayed event changes nothing, a second upload is refused.
"""

import datetime
import zoneinfo

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.dates import business_date_validate
from core.exceptions import ApplicationError
from core.roles import ADMIN, COLLECTOR, MANAGER, user_role
from core.uploads import upload_validate
from messaging.models import DeliveryEvent, LetterProof, Message, MessageDebt
from messaging.selectors import message_queryset
from messaging.services import us_debts
from messaging.services.compliance.certified import certified_required
from messaging.services.compliance.purpose import VALIDATION_TEMPLATE
from messaging.services.optout import event_record
from portfolio.models import Debt

# A receipt is recorded up to a year after it was signed, never before it happened.
PROOF_PAST_DAYS = 366
PROOF_STATUSES = (Message.Status.SENT, Message.Status.DELIVERED)
RECORDING_ROLES = (ADMIN, MANAGER, COLLECTOR)


def proof_message_get(*, user, message_id: int) -> Message | None:
    """The letter `user` may record a proof for (admin, manager: their creditors'; collector:
    their cases'), or None (the caller answers 404)."""
    if user_role(user) not in RECORDING_ROLES:
        return None
    return (
        message_queryset(user=user)
        .select_related("debtor")
        .filter(pk=message_id, channel="letter")
        .first()
    )


def _local_day(moment: datetime.datetime, tz: str) -> datetime.date:
    return moment.astimezone(zoneinfo.ZoneInfo(tz)).date()


def letter_proof_record(
    *,
    message: Message,
    kind: str,
    received_on: datetime.date,
    today: datetime.date,
    event_key: str,
    signed_by: str = "",
    tracking_number: str = "",
    provider: str = "",
    file=None,
    recorded_by=None,
) -> tuple[LetterProof, bool]:
    """Record a letter's proof of receipt once: (proof, created). The letter becomes delivered
    on `received_on`. A replayed `event_key` returns the proof it recorded; a letter that has
    a proof already keeps it (a provider event is then a no-op, an upload an error)."""
    existing = LetterProof.objects.filter(event_key=event_key).first()
    if existing is not None and kind == LetterProof.Kind.PROVIDER:
        return existing, False
    if file is not None:
        upload_validate(file, field="file")
    with transaction.atomic():
        locked = Message.objects.select_for_update().select_related("debtor").get(pk=message.pk)
        if locked.channel != "letter":
            raise ApplicationError(_("Only a letter has a proof of receipt."), field="message")
        current = LetterProof.objects.filter(message=locked).first()
        if current is not None:
            if kind == LetterProof.Kind.PROVIDER:
                return current, False
            raise ApplicationError(
                _("This letter already has its proof of receipt (recorded on %(date)s).")
                % {"date": current.recorded_at.date().isoformat()},
                field="file",
            )
        if locked.status not in PROOF_STATUSES or locked.sent_at is None:
            raise ApplicationError(
                _("Only a letter that was sent can have a proof of receipt."), field="message"
            )
        day = business_date_validate(
            received_on, today=today, past=PROOF_PAST_DAYS, future=0, field="received_on"
        )
        sent_on = _local_day(locked.sent_at, locked.debtor.timezone)
        if day < sent_on:
            raise ApplicationError(
                _("The letter cannot have been received before it was sent (%(date)s).")
                % {"date": sent_on.isoformat()},
                field="received_on",
            )
        try:
            with transaction.atomic():
                proof = LetterProof(
                    message=locked,
                    kind=kind,
                    provider=provider[:30],
                    tracking_number=(tracking_number or "").strip()[:80],
                    received_on=day,
                    signed_by=(signed_by or "").strip()[:200],
                    event_key=event_key[:200],
                    recorded_by=recorded_by,
                )
                if file is not None:
                    proof.file.save(file.name, file, save=False)
                proof.save()
        except IntegrityError:  # the same event committed meanwhile
            return LetterProof.objects.get(event_key=event_key[:200]), False
        # The day of receipt is the delivery date (noon where the debtor lives: the same day
        # in any reading of it).
        locked.status = Message.Status.DELIVERED
        locked.delivered_at = datetime.datetime.combine(
            day, datetime.time(12), tzinfo=zoneinfo.ZoneInfo(locked.debtor.timezone)
        )
        locked.save(update_fields=["status", "delivered_at", "updated_at"])
        if locked.template == VALIDATION_TEMPLATE and message_is_certified(locked):
            # A certified validation notice is given on its receipt (none today: the US asks
            # for no certified mail, but the rule is data).
            Debt.objects.filter(
                id__in=MessageDebt.objects.filter(message=locked).values("debt_id"),
                validation_notice_sent_at__isnull=True,
            ).update(
                validation_notice_sent_at=locked.delivered_at,
                validation_period_ends_on=us_debts.validation_period_end(day),
            )
        event_record(
            provider=provider or kind,
            event_key=f"proof:{event_key}",
            kind=DeliveryEvent.Kind.DELIVERED,
            message=locked,
            provider_message_id=proof.tracking_number or locked.provider_message_id,
            # (stored as data, not in the recorder's language)
            detail=f"proof of receipt: {day.isoformat()} · {proof.signed_by or '—'}",
            payload={"proof_id": proof.pk, "kind": kind},
        )
    return proof, True


def letter_proof_upload(
    *,
    user,
    message_id: int,
    file,
    received_on: datetime.date,
    today: datetime.date,
    signed_by: str = "",
    tracking_number: str = "",
) -> LetterProof:
    """Staff record the post's receipt (acuse de recibo) of a letter they may see; else
    ApplicationError. Who recorded it is kept on the proof."""
    message = proof_message_get(user=user, message_id=message_id)
    if message is None:
        raise ApplicationError(_("No such letter."), field="message")
    proof, _created = letter_proof_record(
        message=message,
        kind=LetterProof.Kind.MANUAL,
        received_on=received_on,
        today=today,
        event_key=f"manual:{message.pk}",
        signed_by=signed_by,
        tracking_number=tracking_number,
        provider="manual",
        file=file,
        recorded_by=user,
    )
    return proof


def message_is_certified(message: Message) -> bool:
    """Whether `message` went (or goes) by certified mail and counts only with its proof."""
    return certified_required(
        country=message.debtor.country, template=message.template, channel=message.channel
    )
