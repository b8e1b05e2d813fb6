"""The certified mail sandbox's proof events: signed (HMAC-SHA256), recorded once.

POST /webhooks/certified/sandbox/ with header X-Cartera-Signature and a JSON body
{id, tracking_number, event: "delivered" | "returned", received_on: "YYYY-MM-DD", signed_by,
receipt: {name, content_base64}} (messaging.channels.certified.sandbox_proof_event builds
one). A bad signature is a 403 and changes nothing; a replayed event is a 200 that changes
nothing; a delivered event records the letter's proof, a returned one fails the letter.
"""

import base64
import binascii
import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.dates import business_today
from core.exceptions import ApplicationError
from core.uploads import CONTENT_TYPES, upload_suffix
from messaging.channels.certified import (
    SandboxCertifiedProvider,
    certified_sandbox_live,
)
from messaging.models import DeliveryEvent, LetterProof, Message
from messaging.services.optout import event_record, message_status_from_event
from messaging.services.proofs import letter_proof_record
from messaging.webhooks import signed_sandbox_json

EVENTS = ("delivered", "returned")


def _bad(detail: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _receipt(data) -> SimpleUploadedFile | None:
    """The receipt document of the event (None when it has none); ValueError when malformed."""
    receipt = data.get("receipt")
    if receipt is None:
        return None
    if not isinstance(receipt, dict):
        raise ValueError("receipt must be an object")
    name, content = receipt.get("name"), receipt.get("content_base64")
    if not isinstance(name, str) or not isinstance(content, str):
        raise ValueError("receipt needs a name and content_base64")
    try:
        raw = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("receipt content_base64 is not base64") from exc
    content_type = CONTENT_TYPES.get(upload_suffix(name), "application/octet-stream")
    return SimpleUploadedFile(name[:100], raw, content_type=content_type)


@csrf_exempt
@require_POST
def certified_sandbox_event(request):
    if not certified_sandbox_live():
        raise Http404
    data, refused = signed_sandbox_json(request)
    if refused is not None:
        return refused
    event_id, tracking, event = data.get("id"), data.get("tracking_number"), data.get("event")
    signed_by = data.get("signed_by") or ""
    # (A letter not submitted yet has no tracking number: '' would find one of those.)
    if not isinstance(event_id, str) or not event_id or not isinstance(tracking, str):
        return _bad("id and tracking_number are required")
    if not tracking.strip():
        return _bad("tracking_number must not be blank")
    if event not in EVENTS:
        return _bad("event must be delivered or returned")
    if not isinstance(signed_by, str):
        return _bad("signed_by must be a string")
    try:
        received_on = datetime.date.fromisoformat(str(data.get("received_on")))
    except ValueError:
        return _bad("received_on must be a date (YYYY-MM-DD)")
    try:
        receipt = _receipt(data)
    except ValueError as exc:
        return _bad(str(exc))
    provider = SandboxCertifiedProvider.provider
    message = (
        Message.objects.filter(provider_message_id=tracking, channel="letter")
        .select_related("debtor")
        .first()
    )
    if message is None or not tracking:
        return _bad("unknown tracking number", status=404)
    if event == "returned":
        recorded = event_record(
            provider=provider,
            event_key=f"{provider}:{event_id}",
            kind=DeliveryEvent.Kind.BOUNCED,
            message=message,
            provider_message_id=tracking,
            detail=f"returned to sender {received_on.isoformat()}",
            payload={k: v for k, v in data.items() if k != "receipt"},
        )
        if recorded is None:
            return JsonResponse({"detail": "already recorded"}, status=200)
        message_status_from_event(
            message=message, kind=DeliveryEvent.Kind.BOUNCED, detail="returned to sender"
        )
        return JsonResponse({"detail": "recorded"}, status=201)
    try:
        _proof, created = letter_proof_record(
            message=message,
            kind=LetterProof.Kind.PROVIDER,
            received_on=received_on,
            today=business_today(),
            event_key=f"{provider}:{event_id}",
            signed_by=signed_by,
            tracking_number=tracking,
            provider=provider,
            file=receipt,
        )
    except ApplicationError as exc:
        return JsonResponse({"detail": exc.message, "field": exc.field}, status=400)
    if not created:
        return JsonResponse({"detail": "already recorded"}, status=200)
    return JsonResponse({"detail": "recorded"}, status=201)
