"""Opt-outs and provider events: consent revoked at once, planned messages stopped."""

import unicodedata

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging import reasons
from messaging.models import DeliveryEvent, Message
from portfolio.models import ConsentEvent, ConsentSource, ContactPoint

# Replies that revoke consent on the channel they came on, English and Spanish, as a debtor
# may write them; compared after opt_out_normalise, so case, accents and punctuation do not
# matter ("STOP,", "¡BAJA!", "Opt-out", "dar de BAJA.").
OPT_OUT_KEYWORDS = (
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPT OUT",
    "OPTOUT",
    "BAJA",
    "ALTO",
    "PARAR",
    "DAR DE BAJA",
    "DARME DE BAJA",
    "DESUSCRIBIR",
    "DESUSCRIBIRME",
)


def opt_out_normalise(text: str) -> str:
    """Lower-case words without accents, punctuation or symbols, one space apart."""
    # NFKD splits accents off their letters (and folds full-width and other compatibility
    # forms); dropping the combining marks leaves the bare letters.
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Everything that is not a letter or digit (¡ ¿ ! , . - quotes, emoji, zero-width
    # spaces...) separates words.
    return " ".join("".join(c if c.isalnum() else " " for c in bare).casefold().split())


_KEYWORDS = tuple(tuple(opt_out_normalise(k).split()) for k in OPT_OUT_KEYWORDS)


def is_stop(text: str) -> bool:
    """Whether an inbound reply is an opt-out: it is a keyword, or starts with one.

    "STOP please" and "Baja por favor" count: COMPLIANCE.md takes the conservative reading
    where the law is open, and US-OPTOUT honours an opt-out at once, so a reply that leads
    with the keyword is not second-guessed. A keyword further into a sentence ("can you
    stop by...", "el pago es muy alto") is conversation, recorded as a reply for the
    collector to read.
    """
    words = tuple(opt_out_normalise(text).split())
    return any(words[: len(keyword)] == keyword for keyword in _KEYWORDS)


@transaction.atomic
def consent_revoke(*, debtor_id: int, channel: str, value: str | None = None, note="") -> int:
    """Revoke the debtor's consent on a channel (one address or all) and stop what is planned.

    Returns how many planned messages were suppressed. Consent history keeps the event.
    """
    now = timezone.now()
    points = ContactPoint.objects.select_for_update().filter(
        debtor_id=debtor_id, channel=channel, consent_granted=True
    )
    if value is not None:
        points = points.filter(value=value)
    for point in points.order_by("id"):
        point.consent_granted = False
        point.consent_changed_at = now
        point.consent_source = ConsentSource.OPT_OUT
        point._change_reason = note[:100]
        point.save(
            update_fields=["consent_granted", "consent_changed_at", "consent_source", "updated_at"]
        )
        ConsentEvent.objects.create(
            contact_point=point,
            granted=False,
            occurred_at=now,
            source=ConsentSource.OPT_OUT,
            note=note[:255],
        )
    if (
        channel == "letter"
        and not ContactPoint.objects.filter(debtor_id=debtor_id, channel="letter").exists()
    ):
        # No letter contact point yet: record the refusal as one, so planning honours it.
        point = ContactPoint.objects.create(
            debtor_id=debtor_id,
            channel="letter",
            value="postal address",
            consent_granted=False,
            consent_changed_at=now,
            consent_source=ConsentSource.OPT_OUT,
        )
        ConsentEvent.objects.create(
            contact_point=point, granted=False, occurred_at=now, source=ConsentSource.OPT_OUT,
            note=note[:255],
        )  # fmt: skip
    planned = Message.objects.filter(
        debtor_id=debtor_id, channel=channel, status=Message.Status.PLANNED
    )
    if value is not None:
        planned = planned.filter(to=value)
    return planned.update(
        status=Message.Status.SUPPRESSED,
        suppression_rule="OPT-OUT",
        suppression_reason="OPT-OUT: " + (note or _("the debtor opted out of this channel"))[:400],
        # The debtor's own note is shown as written; without one, the coded reason.
        suppression_code="" if note else reasons.OPTED_OUT,
        suppression_params={},
        claim_token=None,
        claimed_at=None,
        updated_at=now,
    )


def event_record(
    *, provider: str, event_key: str, kind: str, message=None, provider_message_id="",
    detail="", payload=None,
) -> DeliveryEvent | None:  # fmt: skip
    """Store a provider event once; None when the same event was already recorded (replay)."""
    try:
        with transaction.atomic():
            return DeliveryEvent.objects.create(
                provider=provider,
                event_key=event_key[:200],
                kind=kind,
                message=message,
                provider_message_id=provider_message_id[:120],
                detail=detail[:500],
                payload=payload or {},
            )
    except IntegrityError:
        return None


# Provider status -> our status; later stages never move back (delivered stays delivered).
STATUS_ORDER = {Message.Status.SENT: 1, Message.Status.DELIVERED: 2, Message.Status.FAILED: 3}


def message_status_from_event(*, message: Message, kind: str, detail: str = "") -> bool:
    """Apply a delivery event to its message; True when the status changed."""
    target = {
        DeliveryEvent.Kind.DELIVERED: Message.Status.DELIVERED,
        DeliveryEvent.Kind.FAILED: Message.Status.FAILED,
        DeliveryEvent.Kind.BOUNCED: Message.Status.FAILED,
    }.get(kind)
    if target is None:
        return False
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.status not in STATUS_ORDER or STATUS_ORDER[target] <= STATUS_ORDER.get(
            locked.status, 0
        ):
            return False
        locked.status = target
        fields = ["status", "updated_at"]
        if target == Message.Status.DELIVERED:
            locked.delivered_at = timezone.now()
            fields.append("delivered_at")
        else:
            locked.last_error = (f"{kind}: {detail}")[:2000]
            fields.append("last_error")
        locked.save(update_fields=fields)
    return True


def consent_revoke_address(*, channel: str, address: str, note: str = "") -> list[int]:
    """Revoke consent on this address for every debtor who gave it; the debtors, in id order.

    What a mailbox's owner says (a spam complaint, the ESP's unsubscribe) holds for every
    debtor that address reaches."""
    debtor_ids = sorted(
        set(
            ContactPoint.objects.filter(channel=channel, value__iexact=address.strip()).values_list(
                "debtor_id", flat=True
            )
        )
    )
    for debtor_id in debtor_ids:
        values = ContactPoint.objects.filter(
            debtor_id=debtor_id, channel=channel, value__iexact=address.strip()
        ).values_list("value", flat=True)
        for value in sorted(set(values)):
            consent_revoke(debtor_id=debtor_id, channel=channel, value=value, note=note)
    return debtor_ids
