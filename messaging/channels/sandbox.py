"""The sandbox: records what would be sent, once per message (demos, tests, benchmarks)."""

import hashlib
import hmac
import json
import logging
import time

from django.conf import settings
from django.db import connection
from django.utils import timezone

from messaging.channels import (
    ChannelBackend,
    ChannelError,
    PermanentChannelError,
    SendResult,
    TransientChannelError,
)
from messaging.models import SandboxDelivery
from messaging.services.whatsapp import OUTSIDE_WINDOW_CODE, service_windows_open

logger = logging.getLogger(__name__)

# Recipients that make the sandbox fail on purpose, to exercise retries and failures.
FAIL_TRANSIENT = "fail-transient"
FAIL_PERMANENT = "fail-permanent"


def sandbox_signature(body: bytes) -> str:
    """The HMAC-SHA256 of an event body with the sandbox's secret (header X-Cartera-Signature):
    the sandbox provider's events and its certified mail's proofs are signed alike."""
    secret = settings.CARTERA_SANDBOX_WEBHOOK_SECRET.encode()
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def sandbox_live() -> bool:
    """Whether a channel uses the sandbox here (never in production: config/checks.py).

    Its callback endpoint is served only then: events signed with the sandbox's secret would
    otherwise let anyone who learns it mark messages delivered or revoke a debtor's consent.
    """
    path = f"{SandboxBackend.__module__}.{SandboxBackend.__qualname__}"
    return bool(settings.CARTERA_SANDBOX_WEBHOOK_SECRET) and path in (
        settings.CARTERA_CHANNEL_BACKENDS.values()
    )


VALUES_ROW = "(%s, %s, %s, %s, %s, %s, %s, %s::jsonb, 1, CURRENT_TIMESTAMP)"


class SandboxBackend(ChannelBackend):
    provider = "sandbox"
    transactional = True

    def prints_to_console(self) -> bool:
        return logger.isEnabledFor(logging.INFO)

    def send(self, message, rendered) -> SendResult:
        [result] = self.send_many([(message, rendered)])
        if isinstance(result, ChannelError):
            raise result
        return result

    def send_many(self, items) -> list:
        """Record a batch's deliveries with one INSERT, in the caller's transaction."""
        delay = float(getattr(settings, "CARTERA_SANDBOX_DELAY_SECONDS", 0) or 0)
        results: list = [None] * len(items)
        rows = []
        # Like the provider: WhatsApp free text outside the 24-hour service window is refused
        # for good (63016); an approved template (a content SID) goes whatever the window.
        now = timezone.now()
        open_windows = service_windows_open(
            contacts=[
                (message.to, now)
                for message, rendered in items
                if message.channel == "whatsapp" and not rendered.content_sid
            ]
        )
        for index, (message, rendered) in enumerate(items):
            if delay:
                time.sleep(delay)  # the kill test needs a batch that takes a while
            if message.to.startswith(FAIL_TRANSIENT):
                results[index] = TransientChannelError("sandbox: simulated provider outage")
            elif message.to.startswith(FAIL_PERMANENT):
                results[index] = PermanentChannelError("sandbox: simulated invalid recipient")
            elif (
                message.channel == "whatsapp"
                and not rendered.content_sid
                and (message.to, now) not in open_windows
            ):
                results[index] = PermanentChannelError(
                    f"sandbox: Twilio 400/{OUTSIDE_WINDOW_CODE}: free text outside the 24-hour "
                    "service window; send an approved template (ContentSid)"
                )
            else:
                rows.append((index, message, rendered))
        if not rows:
            return results
        table = SandboxDelivery._meta.db_table
        params = []
        for _index, message, rendered in rows:
            params += [message.id, message.idempotency_key, message.channel, message.to,
                       rendered.subject[:255], rendered.body, rendered.content_sid,
                       json.dumps(rendered.content_variables or {})]  # fmt: skip
        # Same transaction as the messages' status change: both commit or neither does. A
        # second committed send of the same message would show up as sends = 2.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table}
                    (message_id, idempotency_key, channel, "to", subject, body, content_sid,
                     content_variables, sends, recorded_at)
                VALUES {", ".join([VALUES_ROW] * len(rows))}
                ON CONFLICT (idempotency_key) DO UPDATE SET sends = {table}.sends + 1
                RETURNING idempotency_key, id
                """,
                params,
            )
            row_ids = dict(cursor.fetchall())
        console = logger.isEnabledFor(logging.INFO)
        for index, message, rendered in rows:
            # What a phone would show, on the console (like Django's console e-mail backend):
            # in `make run` the portal's one-time codes are read there. Never in production,
            # which refuses the sandbox (config/checks.py).
            if console:
                logger.info(
                    "sandbox %s to %s: %s",
                    message.channel,
                    message.to,
                    " ".join(rendered.body.split()),
                )
            results[index] = SendResult(
                provider=self.provider,
                provider_message_id=f"sandbox-{row_ids[message.idempotency_key]}",
            )
        return results
