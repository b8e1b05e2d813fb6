"""E-mail through Django's e-mail backends (console/file locally, SMTP or anymail in production)."""

import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from messaging.channels import (
    ChannelBackend,
    PermanentChannelError,
    SendResult,
    TransientChannelError,
)
from messaging.services.context import optout_link


class EmailBackend(ChannelBackend):
    provider = "email"

    def concurrency(self) -> int:
        return settings.CARTERA_PROVIDER_CONCURRENCY

    def prints_to_console(self) -> bool:
        return settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"

    def send(self, message, rendered) -> SendResult:
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "cartera.local"
        message_id = make_msgid(idstring=str(message.id), domain=domain)
        unsubscribe = optout_link(message.id)
        email = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={
                "Message-ID": message_id,
                "X-Cartera-Message": message.idempotency_key,
                # RFC 8058 one-click unsubscribe, honoured by the unsubscribe endpoint.
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        if rendered.html:
            # Already finished and sanitised (messaging.rendering.Rendered): attached as it is.
            email.attach_alternative(rendered.html, "text/html")
        try:
            sent = self._send(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentChannelError(f"recipient refused: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientChannelError(f"SMTP error: {exc}") from exc
        if not sent:
            raise TransientChannelError("the e-mail backend accepted nothing")
        return SendResult(provider=self.provider, provider_message_id=message_id.strip("<>"))

    def _send(self, email) -> int:
        with get_connection() as connection:
            return connection.send_messages([email])
