"""E-mail through Django's e-mail backends: an ESP's API through django-anymail in production
(`CARTERA_EMAIL_ESP`), SMTP or the console locally, locmem in tests.

Every e-mail carries the message's idempotency key twice, so what the provider says later maps
back to the message: in anymail's `metadata` (returned with every tracking event) and in its
Message-ID header, `<{key}@{domain}>`, which a reply quotes in In-Reply-To. The provider's own
message id (anymail's `anymail_status.message_id`) is what the outbox stores.
"""

import smtplib
from urllib.parse import quote, unquote

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection

from messaging.channels import (
    ChannelBackend,
    PermanentChannelError,
    SendResult,
    TransientChannelError,
)
from messaging.services.context import optout_link

# The metadata key anymail sends with the message and hands back with its events.
METADATA_KEY = "cartera_key"
# Characters of an idempotency key kept as they are in a Message-ID's left part (RFC 5322
# dot-atom text); anything else (the keys' colons) is percent-encoded, and decoded back.
_ATEXT_SAFE = "!#$&'*+-/=?^_`{|}~."


def sender_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "cartera.local"


def message_id_header(idempotency_key: str) -> str:
    """The Message-ID of the e-mail of a message: `<{key}@{domain}>`."""
    return f"<{quote(idempotency_key, safe=_ATEXT_SAFE)}@{sender_domain()}>"


def key_from_message_id(value: str | None) -> str | None:
    """The idempotency key a Message-ID (or In-Reply-To/References value) names, if ours."""
    if not value:
        return None
    for token in str(value).replace(",", " ").split():
        token = token.strip().strip("<>")
        local, at, domain = token.rpartition("@")
        if at and local and domain.lower() == sender_domain().lower():
            return unquote(local)
    return None


def _describe(exc) -> str:
    # anymail's str() reads the ESP's response; never let describing an error raise another.
    try:
        return str(exc)
    except Exception:
        return " ".join(str(arg) for arg in exc.args)


def _anymail_error(exc) -> TransientChannelError | PermanentChannelError:
    """An anymail exception as a channel error: a refused recipient or a 4xx is final."""
    text = _describe(exc)
    if isinstance(exc, AnymailRecipientsRefused):
        return PermanentChannelError(f"recipient refused: {text}")
    status = getattr(exc, "status_code", None)
    if isinstance(exc, AnymailAPIError) and status and 400 <= status < 500 and status != 429:
        return PermanentChannelError(f"e-mail provider refused the message ({status}): {text}")
    if isinstance(exc, AnymailAPIError):
        return TransientChannelError(f"e-mail provider error: {text}")
    # AnymailInvalidAddress, AnymailUnsupportedFeature, AnymailSerializationError...
    return PermanentChannelError(f"e-mail provider: {text}")


class EmailBackend(ChannelBackend):
    provider = "email"

    def concurrency(self) -> int:
        return settings.CARTERA_PROVIDER_CONCURRENCY

    def prints_to_console(self) -> bool:
        return settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"

    def send(self, message, rendered) -> SendResult:
        message_id = message_id_header(message.idempotency_key)
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
        # Anymail's extra attribute (other backends ignore it): the ESP returns the metadata
        # with each tracking event. Open and click tracking is the ESP account's setting
        # (docs/email.md): not every ESP takes it per message.
        email.metadata = {METADATA_KEY: message.idempotency_key}
        if rendered.html:
            # Already finished and sanitised (messaging.rendering.Rendered): attached as it is.
            email.attach_alternative(rendered.html, "text/html")
        try:
            sent = self._send(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentChannelError(f"recipient refused: {exc}") from exc
        except AnymailError as exc:
            raise _anymail_error(exc) from exc
        except ImproperlyConfigured as exc:
            raise PermanentChannelError(f"e-mail provider not configured: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientChannelError(f"SMTP error: {exc}") from exc
        if not sent:
            raise TransientChannelError("the e-mail backend accepted nothing")
        status = getattr(email, "anymail_status", None)
        provider_id = getattr(status, "message_id", None) if status is not None else None
        if provider_id is None:
            # SMTP and the console: the Message-ID is all there is.
            provider_id = message_id.strip("<>")
        return SendResult(provider=self.provider, provider_message_id=str(provider_id))

    def _send(self, email) -> int:
        with get_connection() as connection:
            return connection.send_messages([email])
