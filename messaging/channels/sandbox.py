"""The sandbox: records what would be sent, once per message (demos, tests, benchmarks)."""

import logging
import time

from django.conf import settings
from django.db import connection

from messaging.channels import (
    ChannelBackend,
    PermanentChannelError,
    SendResult,
    TransientChannelError,
)
from messaging.models import SandboxDelivery

logger = logging.getLogger(__name__)

# Recipients that make the sandbox fail on purpose, to exercise retries and failures.
FAIL_TRANSIENT = "fail-transient"
FAIL_PERMANENT = "fail-permanent"


def sandbox_live() -> bool:
    """Whether a channel uses the sandbox here (never in production: config/checks.py).

    Its callback endpoint is served only then: events signed with the sandbox's secret would
    otherwise let anyone who learns it mark messages delivered or revoke a debtor's consent.
    """
    path = f"{SandboxBackend.__module__}.{SandboxBackend.__qualname__}"
    return bool(settings.CARTERA_SANDBOX_WEBHOOK_SECRET) and path in (
        settings.CARTERA_CHANNEL_BACKENDS.values()
    )


class SandboxBackend(ChannelBackend):
    provider = "sandbox"
    transactional = True

    def prints_to_console(self) -> bool:
        return logger.isEnabledFor(logging.INFO)

    def send(self, message, rendered) -> SendResult:
        delay = float(getattr(settings, "CARTERA_SANDBOX_DELAY_SECONDS", 0) or 0)
        if delay:
            time.sleep(delay)  # the kill test needs a batch that takes a while
        if message.to.startswith(FAIL_TRANSIENT):
            raise TransientChannelError("sandbox: simulated provider outage")
        if message.to.startswith(FAIL_PERMANENT):
            raise PermanentChannelError("sandbox: simulated invalid recipient")
        table = SandboxDelivery._meta.db_table
        # Same transaction as the message's status change: both commit or neither does. A
        # second committed send of the same message would show up as sends = 2.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table}
                    (message_id, idempotency_key, channel, "to", subject, body, sends,
                     recorded_at)
                VALUES (%s, %s, %s, %s, %s, %s, 1, CURRENT_TIMESTAMP)
                ON CONFLICT (idempotency_key) DO UPDATE SET sends = {table}.sends + 1
                RETURNING id
                """,
                [
                    message.id,
                    message.idempotency_key,
                    message.channel,
                    message.to,
                    rendered.subject[:255],
                    rendered.body,
                ],
            )
            row_id = cursor.fetchone()[0]
        # What a phone would show, on the console (like Django's console e-mail backend): in
        # `make run` the portal's one-time codes are read there. Never in production, which
        # refuses the sandbox (config/checks.py).
        logger.info(
            "sandbox %s to %s: %s", message.channel, message.to, " ".join(rendered.body.split())
        )
        return SendResult(provider=self.provider, provider_message_id=f"sandbox-{row_id}")
