"""SMS and WhatsApp through Twilio's official library, with delivery status callbacks.

A WhatsApp message outside the debtor's service window goes as its approved template:
`content_sid` plus `content_variables` (a JSON string mapping "1", "2", ... to values), the
parameters Twilio's Messages API documents as ContentSid and ContentVariables; otherwise as
`body`.
"""

import json

from django.conf import settings
from django.urls import reverse

from messaging.channels import (
    ChannelBackend,
    PermanentChannelError,
    SendResult,
    TransientChannelError,
)

# Twilio error codes worth retrying (queue overflow, rate limits); the rest of 4xx is final.
TRANSIENT_CODES = {20429, 30001, 30002, 30003, 30008, 30022}


def status_callback_url() -> str:
    return settings.CARTERA_PUBLIC_URL.rstrip("/") + reverse("messaging:twilio-status")


class TwilioBackend(ChannelBackend):
    provider = "twilio"

    def concurrency(self) -> int:
        return settings.CARTERA_PROVIDER_CONCURRENCY

    def __init__(self, client=None):
        self._client = client

    @property
    def client(self):
        if self._client is None:
            from twilio.rest import Client

            if not settings.TWILIO_ACCOUNT_SID or not settings.TWILIO_AUTH_TOKEN:
                raise PermanentChannelError("Twilio is not configured (TWILIO_ACCOUNT_SID/TOKEN)")
            self._client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
        return self._client

    def _addresses(self, message) -> dict:
        whatsapp = message.channel == "whatsapp"
        to = f"whatsapp:{message.to}" if whatsapp else message.to
        if settings.TWILIO_MESSAGING_SERVICE_SID and not whatsapp:
            return {"to": to, "messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
        sender = settings.TWILIO_WHATSAPP_FROM if whatsapp else settings.TWILIO_SMS_FROM
        if not sender:
            raise PermanentChannelError(f"no Twilio sender configured for {message.channel}")
        return {"to": to, "from_": f"whatsapp:{sender}" if whatsapp else sender}

    def send(self, message, rendered) -> SendResult:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        if rendered.content_sid:
            content = {
                "content_sid": rendered.content_sid,
                "content_variables": json.dumps(rendered.content_variables, ensure_ascii=False),
            }
        else:
            content = {"body": rendered.body}
        try:
            sent = self.client.messages.create(
                **content,
                status_callback=status_callback_url(),
                **self._addresses(message),
            )
        except TwilioRestException as exc:
            if exc.status == 429 or exc.status >= 500 or exc.code in TRANSIENT_CODES:
                raise TransientChannelError(f"Twilio {exc.status}/{exc.code}: {exc.msg}") from exc
            raise PermanentChannelError(f"Twilio {exc.status}/{exc.code}: {exc.msg}") from exc
        except (TwilioException, OSError) as exc:
            raise TransientChannelError(f"Twilio unreachable: {exc}") from exc
        return SendResult(provider=self.provider, provider_message_id=sent.sid)
