"""E-mail tracking events from the ESP (django-anymail's normalised events), applied once.

delivered → the message delivered; a hard bounce → the message failed and the address marked
invalid (planning and sending stop using it, what is planned to it is cancelled); a soft bounce
or a delay → recorded only; a spam complaint or the ESP's unsubscribe → an opt-out of that
address; opened / clicked → recorded for the message funnel. Each event is stored once under
the ESP's event id (or a digest of its payload when the ESP gives none): a replay changes
nothing. An inbound e-mail (a debtor's reply) goes to the inbox, threaded by In-Reply-To.
"""

import hashlib
import json
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging import reasons
from messaging.channels.email import METADATA_KEY, key_from_message_id
from messaging.models import DeliveryEvent, Message
from messaging.services.inbox import inbound_receive
from messaging.services.optout import (
    consent_revoke_address,
    event_record,
    message_status_from_event,
)
from portfolio.services.contact_points import contact_points_invalidate

logger = logging.getLogger(__name__)

Kind = DeliveryEvent.Kind

# anymail's EventType values → our event kinds (bounced and rejected are decided below).
EVENT_KINDS = {
    "queued": Kind.SENT,
    "sent": Kind.SENT,
    "delivered": Kind.DELIVERED,
    "failed": Kind.FAILED,
    "deferred": Kind.DEFERRED,
    "complained": Kind.COMPLAINED,
    "unsubscribed": Kind.OPT_OUT,
    "opened": Kind.OPENED,
    "clicked": Kind.CLICKED,
}
# Bounce types the ESPs report as bounces that are only temporary (the address may work):
# Postmark's `Type`, SendGrid's `type`, Mailgun's `severity`.
SOFT_BOUNCES = {"softbounce", "transient", "dnserror", "blocked", "temporary"}
# A rejection for these reasons means the address itself is dead.
DEAD_ADDRESS_REASONS = {"invalid", "bounced"}


def _text(value, limit: int = 500) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _payload(esp_event) -> dict:
    """The ESP's event as JSON-able data (a dict, a QueryDict's lists, or anything else)."""
    if hasattr(esp_event, "lists"):
        return dict(esp_event.lists())
    if isinstance(esp_event, dict):
        return json.loads(json.dumps(esp_event, default=str))
    return {"event": str(esp_event)}


def _is_soft(esp_event) -> bool:
    if not isinstance(esp_event, dict):
        return False
    data = esp_event.get("event-data") if isinstance(esp_event.get("event-data"), dict) else {}
    for value in (esp_event.get("Type"), esp_event.get("type"), data.get("severity")):
        if isinstance(value, str) and value.casefold() in SOFT_BOUNCES:
            return True
    return False


def event_kind(event) -> str | None:
    """Our kind for an anymail tracking event, or None when it is not worth recording."""
    event_type = getattr(event, "event_type", None)
    dead_address = getattr(event, "reject_reason", None) in DEAD_ADDRESS_REASONS
    if event_type == "bounced":
        if _is_soft(event.esp_event):
            return Kind.DEFERRED
        # A bounce for another reason (a virus notice, a policy block) fails the message but
        # says nothing against the address.
        return Kind.BOUNCED if dead_address else Kind.FAILED
    if event_type == "rejected":
        return Kind.BOUNCED if dead_address else Kind.FAILED
    return EVENT_KINDS.get(event_type)


def event_message(event) -> Message | None:
    """The outbox message an event is about: by the key in its metadata, the ESP's message id,
    or the key in our Message-ID header."""
    metadata = event.metadata if isinstance(event.metadata, dict) else {}
    key = metadata.get(METADATA_KEY)
    emails = Message.objects.filter(channel="email")
    if isinstance(key, str) and key:
        found = emails.filter(idempotency_key=key).first()
        if found is not None:
            return found
    provider_id = _text(event.message_id, 120)
    if provider_id:
        found = emails.filter(provider_message_id=provider_id).first()
        if found is not None:
            return found
        key = key_from_message_id(provider_id)
        if key:
            return emails.filter(idempotency_key=key).first()
    return None


def event_key(esp: str, event) -> str:
    """The ESP's event id; without one, a digest of the payload (a replay is byte-equal)."""
    if isinstance(event.event_id, str) and event.event_id:
        return f"{esp}:{event.event_id}"
    digest = hashlib.sha256(
        json.dumps(_payload(event.esp_event), sort_keys=True, default=str).encode()
    ).hexdigest()
    return f"{esp}:{event.event_type}:{digest}"


def address_invalidate(*, address: str, reason: str, at) -> int:
    """A dead e-mail address: its points marked invalid, what is planned to it cancelled."""
    debtor_ids = contact_points_invalidate(channel="email", value=address, reason=reason, at=at)
    text = _("the address is marked invalid: the provider reported it dead")
    return Message.objects.filter(
        debtor_id__in=debtor_ids,
        channel="email",
        to__iexact=address.strip(),
        status=Message.Status.PLANNED,
    ).update(
        status=Message.Status.CANCELLED,
        suppression_rule="ADDRESS-INVALID",
        suppression_reason=f"ADDRESS-INVALID: {text}"[:500],
        suppression_code=reasons.ADDRESS_INVALID,
        suppression_params={},
        claim_token=None,
        claimed_at=None,
        updated_at=at,
    )


@transaction.atomic
def email_tracking_record(*, esp: str, event) -> DeliveryEvent | None:
    """Record one anymail tracking event and apply it; None when ignored or already recorded."""
    kind = event_kind(event)
    if kind is None:
        return None
    esp = (esp or "esp").lower()[:20]
    message = event_message(event)
    recipient = _text(event.recipient, 255) or (message.to if message is not None else "")
    detail = _text(event.description) or _text(event.mta_response) or _text(event.click_url)
    recorded = event_record(
        provider=esp,
        event_key=event_key(esp, event),
        kind=kind,
        message=message,
        provider_message_id=_text(event.message_id, 120),
        detail=detail,
        payload=_payload(event.esp_event),
    )
    if recorded is None:
        return None  # a replay: applied the first time
    now = timezone.now()
    if message is not None:
        message_status_from_event(message=message, kind=kind, detail=detail)
    # The notes below are records of what the provider said (like an SMS reply's text), kept
    # as written: the page labels them in the viewer's language.
    if kind == Kind.BOUNCED and recipient:
        address_invalidate(address=recipient, reason=f"{esp} hard bounce: {detail or '-'}", at=now)
    elif kind in (Kind.COMPLAINED, Kind.OPT_OUT) and recipient:
        what = "spam complaint" if kind == Kind.COMPLAINED else "unsubscribed"
        consent_revoke_address(channel="email", address=recipient, note=f"{esp} {what}")
    if message is None:
        logger.info("%s %s event for no known message (%s)", esp, kind, event.message_id)
    return recorded


def _header(message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the parser cannot decode is as good as absent
        return ""
    return str(value) if value else ""


def email_inbound_record(*, esp: str, event):
    """An e-mail a debtor sent us (anymail's inbound event) into the inbox, once, threaded to
    the message it answers through our Message-ID in its In-Reply-To (or References)."""
    message = getattr(event, "message", None)
    sender = getattr(message, "from_email", None) if message is not None else None
    address = getattr(sender, "addr_spec", "") or ""
    if not address:
        return None  # nobody to match or answer
    in_reply_to = key_from_message_id(_header(message, "In-Reply-To")) or key_from_message_id(
        _header(message, "References")
    )
    message_id = _header(message, "Message-ID").strip()
    text = message.stripped_text if getattr(message, "stripped_text", None) else message.text
    body = text or ""
    provider_id = event.event_id if isinstance(event.event_id, str) and event.event_id else ""
    if not provider_id:
        provider_id = (
            message_id
            or hashlib.sha256(
                f"{address}\n{_header(message, 'Date')}\n{message.subject}\n{body}".encode()
            ).hexdigest()
        )
    return inbound_receive(
        channel="email",
        address=address,
        body=body,
        provider=(esp or "esp").lower()[:20],
        provider_message_id=provider_id,
        received_at=event.timestamp or timezone.now(),
        subject=message.subject or "",
        in_reply_to=in_reply_to,
        # What identifies the mail; the whole of it (attachments included) stays at the ESP.
        payload={
            "from": _header(message, "From"),
            "to": _header(message, "To"),
            "message_id": message_id,
            "in_reply_to": _header(message, "In-Reply-To"),
            "references": _header(message, "References"),
        },
    )
