"""Provider callbacks: Twilio (signature by RequestValidator) and the sandbox (HMAC-SHA256).

A bad signature is refused with 403 and changes nothing; a replayed event is recorded once.
"""

import hmac
import json

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from messaging.channels.sandbox import sandbox_live, sandbox_signature
from messaging.models import DeliveryEvent, InboundChannel, Message
from messaging.services.inbox import inbound_receive
from messaging.services.optout import (
    consent_revoke,
    event_record,
    is_stop,
    message_status_from_event,
)

TWILIO_STATUS = {
    "delivered": DeliveryEvent.Kind.DELIVERED,
    "read": DeliveryEvent.Kind.DELIVERED,
    "undelivered": DeliveryEvent.Kind.FAILED,
    "failed": DeliveryEvent.Kind.FAILED,
    "sent": DeliveryEvent.Kind.SENT,
}


def _twilio_valid(request) -> bool:
    from twilio.request_validator import RequestValidator

    if not settings.TWILIO_AUTH_TOKEN:
        return False
    url = settings.CARTERA_PUBLIC_URL.rstrip("/") + request.get_full_path()
    signature = request.headers.get("X-Twilio-Signature", "")
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(
        url, request.POST.dict(), signature
    )


@csrf_exempt
@require_POST
def twilio_status(request):
    if not _twilio_valid(request):
        return HttpResponseForbidden("bad signature")
    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "")
    kind = TWILIO_STATUS.get(status)
    if not sid or kind is None:
        return HttpResponse(status=204)
    message = Message.objects.filter(provider_message_id=sid).first()
    event = event_record(
        provider="twilio",
        event_key=f"twilio:{sid}:{status}",
        kind=kind,
        message=message,
        provider_message_id=sid,
        detail=request.POST.get("ErrorCode", ""),
        payload=request.POST.dict(),
    )
    if event is not None and message is not None:
        message_status_from_event(message=message, kind=kind, detail=event.detail)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound(request):
    """An inbound SMS/WhatsApp: into the inbox; STOP (or BAJA...) revokes that channel's consent."""
    if not _twilio_valid(request):
        return HttpResponseForbidden("bad signature")
    sender = request.POST.get("From", "")
    body = request.POST.get("Body", "")
    sid = request.POST.get("MessageSid", "")
    if not sid or not sender:
        return HttpResponse("<Response/>", content_type="text/xml")
    channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
    kind = DeliveryEvent.Kind.OPT_OUT if is_stop(body) else DeliveryEvent.Kind.REPLY
    event_record(
        provider="twilio",
        event_key=f"twilio-in:{sid}",
        kind=kind,
        provider_message_id=sid,
        detail=body[:500],
        payload=request.POST.dict(),
    )
    # Idempotent by (provider, sid): a replayed webhook neither stores nor revokes twice.
    inbound_receive(
        channel=channel,
        address=sender,
        body=body,
        provider="twilio",
        provider_message_id=sid,
        received_at=timezone.now(),
        # WhatsApp replies that quote a message carry its SID.
        in_reply_to=request.POST.get("OriginalRepliedMessageSid") or None,
        payload=request.POST.dict(),
    )
    return HttpResponse("<Response/>", content_type="text/xml")


def signed_sandbox_json(request) -> tuple[dict | None, HttpResponse | None]:
    """The JSON object of a sandbox event (its own, or its certified mail's), or the answer to
    give: 403 for a bad signature, 400 for a body that is not a JSON object."""
    given = request.headers.get("X-Cartera-Signature", "")
    if not hmac.compare_digest(given, sandbox_signature(request.body)):
        return None, HttpResponseForbidden("bad signature")
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None, JsonResponse({"detail": "invalid JSON"}, status=400)
    if not isinstance(data, dict):
        return None, JsonResponse({"detail": "expected an object"}, status=400)
    return data, None


SANDBOX_KINDS = {k.value for k in DeliveryEvent.Kind}
INBOUND_CHANNELS = {c.value for c in InboundChannel}


@csrf_exempt
@require_POST
def sandbox_event(request):
    """Sandbox provider events: JSON {id, message, event, text}, header X-Cartera-Signature."""
    if not sandbox_live():
        raise Http404
    data, refused = signed_sandbox_json(request)
    if refused is not None:
        return refused
    event_id, key, kind = data.get("id"), data.get("message"), data.get("event")
    text = data.get("text") or ""
    if not isinstance(event_id, str) or not isinstance(key, str) or kind not in SANDBOX_KINDS:
        return JsonResponse({"detail": "id, message and a known event are required"}, status=400)
    if not isinstance(text, str):
        return JsonResponse({"detail": "text must be a string"}, status=400)
    message = Message.objects.filter(idempotency_key=key).first()
    if message is None:
        return JsonResponse({"detail": "unknown message"}, status=404)
    if kind == DeliveryEvent.Kind.REPLY and is_stop(text):
        kind = DeliveryEvent.Kind.OPT_OUT
    event = event_record(
        provider="sandbox",
        event_key=f"sandbox:{event_id}",
        kind=kind,
        message=message,
        provider_message_id=message.provider_message_id,
        detail=text[:500],
        payload=data,
    )
    if event is None:
        return JsonResponse({"detail": "already recorded"}, status=200)
    if kind in (DeliveryEvent.Kind.REPLY, DeliveryEvent.Kind.OPT_OUT) and (
        message.channel in INBOUND_CHANNELS
    ):
        inbound_receive(
            channel=message.channel,
            address=message.to,
            body=text,
            subject=data.get("subject") if isinstance(data.get("subject"), str) else "",
            provider="sandbox",
            provider_message_id=event_id,
            received_at=timezone.now(),
            in_reply_to=message.idempotency_key,
            payload=data,
        )
    elif kind == DeliveryEvent.Kind.OPT_OUT:
        consent_revoke(
            debtor_id=message.debtor_id,
            channel=message.channel,
            value=message.to if message.channel != "letter" else None,
            note=f"{message.channel} reply: {text[:40]}",
        )
    else:
        message_status_from_event(message=message, kind=kind, detail=text)
    return JsonResponse({"detail": "recorded"}, status=201)
